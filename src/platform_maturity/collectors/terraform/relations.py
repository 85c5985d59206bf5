"""Checks that relate Terraform resources: a bucket and its encryption configuration, a
public load balancer and its WAF association, a database and its cross-region copies.

Each function gets the whole scan and the check's ``kinds`` and yields one verdict per
resource it judges: True, False, or None when references it cannot follow (a variable,
a data source, a module output, a count only known at apply) decide the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from platform_maturity.collectors.terraform.inventory import iac_marker, identity_key
from platform_maturity.collectors.terraform.model import (
    Resource,
    Scan,
    Unknown,
    first_block,
    get_path,
)


@dataclass(frozen=True)
class Verdict:
    resource: Resource
    passed: bool | None
    message: str


Relation = Callable[[Scan, Sequence[str]], Iterable[Verdict]]

MODERN_ELB_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)")
_ARN_REGION = re.compile(r"^arn:[\w-]+:[\w-]+:([a-z0-9-]+):")


class Links:
    """Resources whose attribute at ``path`` may point at others, indexed by target.

    A linker points at a target through a reference (HCL, or a plan's configuration),
    through a reference to another resource's attribute of the same name (followed
    once: ``hosted_zone_id = aws_route53_key_signing_key.main.hosted_zone_id``), or by a
    literal value equal to the target's id, ARN or name (state files). A linker whose
    attribute refers to something the scan cannot see (a variable, a data source, a
    module output) or is computed with no reference recorded may point at any target
    in its folder or file."""

    def __init__(self, scan: Scan, linkers: Iterable[Resource], path: str) -> None:
        self.by_ref: dict[tuple[str, str], list[Resource]] = {}
        self.by_literal: dict[str, list[Resource]] = {}
        self.unresolved: dict[str, list[Resource]] = {}
        for linker in linkers:
            own = linker.refs.get(path, frozenset())
            refs = set(own)
            for ref in own:
                for between in scan.by_key.get((linker.source, ref), []):
                    if between is not linker:
                        refs.update(between.refs.get(path, frozenset()))
            for ref in refs:
                self.by_ref.setdefault((linker.source, ref), []).append(linker)
            values = get_path(linker.values, path)
            for value in values:
                if isinstance(value, str):
                    self.by_literal.setdefault(value, []).append(linker)
            computed = not own and any(isinstance(v, Unknown) for v in values)
            if computed or any(not scan.has(linker.source, ref) for ref in own):
                self.unresolved.setdefault(linker.source, []).append(linker)

    def matching(self, target: Resource) -> list[Resource]:
        found = list(self.by_ref.get(target.key, []))
        for name in target.identity:
            found.extend(r for r in self.by_literal.get(name, []) if r not in found)
        return found

    def maybe(self, target: Resource) -> list[Resource]:
        return self.unresolved.get(target.source, [])


def link(linker: Resource, path: str, target: Resource, scan: Scan) -> bool | None:
    """Does ``linker``'s attribute at ``path`` point at ``target``? None: cannot tell."""
    links = Links(scan, [linker], path)
    if links.matching(target):
        return True
    return None if links.maybe(target) else False


@dataclass(frozen=True)
class Attachment:
    passed: bool | None
    linker: Resource | None = None
    note: str = ""


def attached(target: Resource, links: Links, scan: Scan) -> Attachment:
    """Whether any indexed linker points at ``target``."""
    maybe: Attachment | None = None
    for linker in links.matching(target):
        if linker.count is not None:
            return Attachment(True, linker)
        maybe = Attachment(None, linker, f"{linker.address} may not be created (count)")
    if maybe is not None:
        return maybe
    unsure = links.maybe(target)
    if unsure:
        return Attachment(None, unsure[0], f"{unsure[0].address} refers to something unresolved")
    module = scan.module_taking(target)
    if module is not None:
        return Attachment(None, None, f"it is passed to module {module}, which may do it")
    return Attachment(False)


def _verdict(
    resource: Resource, found: Attachment, yes: Callable[[Resource], str], no: str
) -> Verdict:
    if found.passed and found.linker is not None:
        return Verdict(resource, True, yes(found.linker))
    if found.passed is None:
        return Verdict(resource, None, f"cannot tell: {found.note}")
    return Verdict(resource, False, no)


def _truthy_block(value: Any) -> bool | None:
    """A non-empty block list: True; absent or empty: False; unknown: None."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, list):
        if any(isinstance(item, Unknown) for item in value):
            return None
        return bool(value)
    return bool(value) if isinstance(value, dict) else False


def s3_bucket_encrypted(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    configs = Links(
        scan, scan.of_type("aws_s3_bucket_server_side_encryption_configuration"), "bucket"
    )
    for bucket in scan.of_type("aws_s3_bucket"):
        inline = _truthy_block(bucket.values.get("server_side_encryption_configuration"))
        if inline:
            yield Verdict(bucket, True, "encrypted by its server_side_encryption_configuration")
            continue
        found = attached(bucket, configs, scan)
        if inline is None and not found.passed:
            found = Attachment(None, None, "its encryption configuration is computed at apply")
        yield _verdict(
            bucket,
            found,
            lambda c: f"encrypted by {c.address}",
            "no server-side encryption configuration for the bucket",
        )


def prevent_destroy(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    for resource in scan.of_type(*kinds):
        lifecycle = resource.lifecycle
        if lifecycle is None:
            yield Verdict(
                resource,
                None,
                f"cannot tell: {resource.origin} JSON does not record lifecycle; "
                "scan the .tf files next to it",
            )
            continue
        value = lifecycle.get("prevent_destroy")
        if value is True:
            yield Verdict(resource, True, "lifecycle { prevent_destroy = true }")
        elif isinstance(value, Unknown):
            yield Verdict(resource, None, f"cannot tell: prevent_destroy = {value.expr}")
        else:
            yield Verdict(resource, False, "no lifecycle { prevent_destroy = true }")


def _region(scan: Scan, resource: Resource) -> str | None:
    """The resource's region: its provider's literal region, or the one in its ARN."""
    provider = scan.provider(resource)
    if provider is not None and isinstance(provider.region, str):
        return provider.region
    arn = resource.values.get("arn")
    match = _ARN_REGION.match(arn) if isinstance(arn, str) else None
    return match.group(1) if match else None


def _copy_elsewhere(plan: Resource, scan: Scan) -> Attachment:
    """Does a backup plan copy its recovery points to another region (or account)?"""
    path = "rule.copy_action.destination_vault_arn"
    result = Attachment(False, None, f"{plan.address} copies nothing to another region")
    home = _region(scan, plan)
    for destination in get_path(plan.values, path):
        if isinstance(destination, str) and (match := _ARN_REGION.match(destination)):
            if home is None:
                result = Attachment(None, plan, f"the region of {plan.address} is not known")
            elif home != match.group(1):
                return Attachment(True, plan)
            continue
        resolved = False
        for vault in scan.of_type("aws_backup_vault"):
            if link(plan, path, vault, scan) is not True:
                continue
            resolved = True
            there = _region(scan, vault)
            if vault.provider != plan.provider and not (home and there and home == there):
                return Attachment(True, plan)  # another provider configuration: elsewhere
        if not resolved and isinstance(destination, Unknown) and result.passed is False:
            result = Attachment(None, plan, f"{plan.address} copies to an unresolved vault")
    return result


def _selected(selection: Resource, target: Resource, scan: Scan) -> bool | None:
    if any(v == "*" for v in get_path(selection.values, "resources")):
        return True
    found = link(selection, "resources", target, scan)
    if found is not False:
        return found
    tags = target.values.get("tags")
    for condition in selection.values.get("selection_tag") or []:
        if not isinstance(condition, dict) or not isinstance(tags, dict):
            continue
        key, value = condition.get("key"), condition.get("value")
        if isinstance(key, Unknown) or isinstance(value, Unknown):
            return None
        if isinstance(key, str) and tags.get(key) == value:
            return True
    return False


def _backup_plan_copy(target: Resource, scan: Scan) -> Attachment:
    result = Attachment(False)
    plans = scan.of_type("aws_backup_plan")
    for selection in scan.of_type("aws_backup_selection"):
        chosen = _selected(selection, target, scan)
        if chosen is False:
            continue
        for plan in plans:
            if link(selection, "plan_id", plan, scan) is not True:
                continue
            copy = _copy_elsewhere(plan, scan)
            if copy.passed and chosen:
                return Attachment(True, plan)
            if copy.passed is not False and result.passed is False:
                result = Attachment(None, plan, copy.note or f"{selection.address} may select it")
    return result


def backups_in_another_region(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    replications = Links(
        scan,
        scan.of_type("aws_db_instance_automated_backups_replication"),
        "source_db_instance_arn",
    )
    for target in scan.of_type("aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table"):
        own: Attachment = Attachment(False)
        if target.type == "aws_db_instance":
            own = attached(target, replications, scan)
            if own.passed:
                by = own.linker.address if own.linker else "a replication"
                yield Verdict(target, True, f"backups replicated by {by}")
                continue
        elif target.type == "aws_rds_cluster":
            member = target.values.get("global_cluster_identifier")
            if isinstance(member, str) and member:
                yield Verdict(target, True, "member of a global cluster spanning regions")
                continue
            if isinstance(member, Unknown):
                own = Attachment(None, None, "global_cluster_identifier is only known at apply")
        else:
            replica = _truthy_block(target.values.get("replica"))
            if replica:
                yield Verdict(target, True, "global table with a replica in another region")
                continue
            if replica is None:
                own = Attachment(None, None, "its replicas are only known at apply")
        plan = _backup_plan_copy(target, scan)
        if plan.passed and plan.linker is not None:
            yield Verdict(target, True, f"{plan.linker.address} copies its backups elsewhere")
        elif own.passed is None or plan.passed is None:
            yield Verdict(target, None, f"cannot tell: {own.note or plan.note}")
        else:
            yield Verdict(target, False, "no copy of its backups outside its region")


def backup_vault_locked(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    locks = Links(scan, scan.of_type("aws_backup_vault_lock_configuration"), "backup_vault_name")
    for vault in scan.of_type("aws_backup_vault"):
        yield _verdict(
            vault,
            attached(vault, locks, scan),
            lambda lock: f"locked by {lock.address}",
            "no vault lock: recovery points can be deleted",
        )


def s3_bucket_replicated(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    replications = scan.of_type("aws_s3_bucket_replication_configuration")
    sources = Links(scan, replications, "bucket")
    destinations = Links(scan, replications, "rule.destination.bucket")
    for bucket in scan.of_type("aws_s3_bucket"):
        inline = _truthy_block(bucket.values.get("replication_configuration"))
        if inline:
            yield Verdict(bucket, True, "replicated by its replication_configuration")
            continue
        found = attached(bucket, sources, scan)
        if not found.passed:
            target = attached(bucket, destinations, scan)
            if target.passed and target.linker is not None:
                yield Verdict(bucket, True, f"the replica written by {target.linker.address}")
                continue
        yield _verdict(
            bucket,
            found,
            lambda c: f"replicated by {c.address}",
            "not replicated to another bucket",
        )


def aurora_multi_az(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    members = Links(scan, scan.of_type("aws_rds_cluster_instance"), "cluster_identifier")
    for cluster in scan.of_type("aws_rds_cluster"):
        engine = cluster.values.get("engine", "aurora")
        if isinstance(engine, Unknown):
            yield Verdict(cluster, None, f"cannot tell: engine = {engine.expr}")
            continue
        if not str(engine).startswith("aurora"):
            if cluster.values.get("db_cluster_instance_class"):
                yield Verdict(cluster, True, "a Multi-AZ DB cluster (instances in three AZs)")
            else:
                yield Verdict(cluster, False, "not an Aurora or Multi-AZ DB cluster")
            continue
        if cluster.values.get("engine_mode") == "serverless":
            yield Verdict(cluster, True, "Aurora Serverless v1 fails over to another AZ")
            continue
        known, unsure = 0, ""
        for member in members.matching(cluster):
            if member.count is None:
                unsure = member.address
            else:
                known += member.count
        for member in members.maybe(cluster):
            unsure = unsure or member.address
        if known >= 2:
            yield Verdict(cluster, True, f"{known} instances, spread over AZs by RDS")
        elif unsure:
            yield Verdict(cluster, None, f"cannot tell: how many instances {unsure} creates")
        else:
            yield Verdict(cluster, False, f"{known} instance(s): one AZ outage stops it")


def public_endpoint_has_waf(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    associations = Links(
        scan,
        scan.of_type("aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association"),
        "resource_arn",
    )
    for endpoint in scan.of_type(
        "aws_lb", "aws_alb", "aws_api_gateway_stage", "aws_appsync_graphql_api"
    ):
        if endpoint.type in ("aws_lb", "aws_alb"):
            internal = endpoint.values.get("internal", False)
            kind = endpoint.values.get("load_balancer_type", "application")
            if internal is True or kind in ("network", "gateway"):
                continue  # not public, or WAF cannot attach to it
            if isinstance(internal, Unknown) or isinstance(kind, Unknown):
                yield Verdict(endpoint, None, "cannot tell whether it is public")
                continue
        yield _verdict(
            endpoint,
            attached(endpoint, associations, scan),
            lambda a: f"inspected by the web ACL of {a.address}",
            "public endpoint with no WAF web ACL associated",
        )


def vpc_flow_logs(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    logs = Links(scan, scan.of_type("aws_flow_log"), "vpc_id")
    for vpc in scan.of_type("aws_vpc"):
        yield _verdict(
            vpc,
            attached(vpc, logs, scan),
            lambda log: f"flow logs captured by {log.address}",
            "no aws_flow_log captures this VPC's traffic",
        )


def _redirects_to_https(listener: Resource) -> bool | None:
    actions = listener.values.get("default_action")
    if isinstance(actions, Unknown):
        return None
    unknown = False
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            unknown = True
            continue
        redirect = first_block(action, "redirect")
        kind = action.get("type")
        if isinstance(kind, Unknown) or isinstance(redirect, Unknown):
            unknown = True
        elif kind == "redirect" and isinstance(redirect, dict):
            protocol = redirect.get("protocol")
            if protocol == "HTTPS":
                return True
            unknown = unknown or isinstance(protocol, Unknown)
    return None if unknown else False


def listener_uses_tls(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    for listener in scan.of_type("aws_lb_listener", "aws_alb_listener"):
        protocol = listener.values.get("protocol", "HTTP")
        if isinstance(protocol, Unknown):
            yield Verdict(listener, None, f"cannot tell: protocol = {protocol.expr}")
        elif protocol in ("HTTPS", "TLS"):
            policy = listener.values.get("ssl_policy")
            if isinstance(policy, Unknown):
                yield Verdict(listener, None, f"cannot tell: ssl_policy = {policy.expr}")
            elif isinstance(policy, str) and MODERN_ELB_POLICY.match(policy):
                yield Verdict(listener, True, f"{protocol} with {policy} (TLS 1.2 or newer)")
            else:
                shown = policy or "the default ELBSecurityPolicy-2016-08"
                yield Verdict(listener, False, f"{shown} still accepts TLS 1.0/1.1")
        elif protocol == "HTTP":
            redirect = _redirects_to_https(listener)
            if redirect:
                yield Verdict(listener, True, "plain HTTP only redirects to HTTPS")
            elif redirect is None:
                yield Verdict(listener, None, "cannot tell: its default action is unresolved")
            else:
                yield Verdict(listener, False, "serves plain HTTP without redirecting to HTTPS")


def route53_zone_dnssec(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    signers = Links(scan, scan.of_type("aws_route53_hosted_zone_dnssec"), "hosted_zone_id")
    for zone in scan.of_type("aws_route53_zone"):
        private = _truthy_block(zone.values.get("vpc"))
        if private:
            continue  # a private zone is not resolved from the internet
        if private is None:
            yield Verdict(zone, None, "cannot tell whether the zone is public")
            continue
        yield _verdict(
            zone,
            attached(zone, signers, scan),
            lambda s: f"signed with DNSSEC by {s.address}",
            "public zone without aws_route53_hosted_zone_dnssec",
        )


def cloud_resource_in_code(scan: Scan, kinds: Sequence[str]) -> Iterator[Verdict]:
    """Each resource a cloud inventory lists is defined in code when the scanned Terraform
    plans or state hold it (by ARN, id or name) or a tag says an IaC tool manages it.

    Without plan or state JSON the identifiers of what .tf files declare are unknown: an
    untagged resource is then undecided rather than failed."""
    declared: dict[str, Resource] = {}
    for resource in scan.resources:
        for value in (*resource.identity, resource.values.get("self_link")):
            if isinstance(value, str) and value:
                declared.setdefault(identity_key(value), resource)
    origins = {source.origin for source in scan.sources.values()}
    states = bool(origins & {"plan", "state"})
    for listed in scan.inventory:
        match = declared.get(identity_key(listed.address))
        tags = listed.values.get("tags") or {}
        marker = iac_marker(tags) if isinstance(tags, dict) else None
        if match is not None:
            yield Verdict(listed, True, f"declared by {match.address} in {match.file}")
        elif marker is not None:
            yield Verdict(listed, True, f"managed by infrastructure as code: tagged {marker}")
        elif "hcl" in origins and not states:
            yield Verdict(
                listed,
                None,
                "cannot tell: not tagged as managed by an IaC tool, and the scan has .tf files"
                " but no 'terraform show -json' plan or state to find it in",
            )
        else:
            found_in = "Terraform plans or state" if states else "Terraform (none was scanned)"
            yield Verdict(
                listed,
                False,
                f"runs in the account but is declared in none of the scanned {found_in},"
                " and no tag says an IaC tool manages it",
            )


FUNCTIONS: dict[str, Relation] = {
    "s3_bucket_encrypted": s3_bucket_encrypted,
    "prevent_destroy": prevent_destroy,
    "backups_in_another_region": backups_in_another_region,
    "backup_vault_locked": backup_vault_locked,
    "s3_bucket_replicated": s3_bucket_replicated,
    "aurora_multi_az": aurora_multi_az,
    "public_endpoint_has_waf": public_endpoint_has_waf,
    "vpc_flow_logs": vpc_flow_logs,
    "listener_uses_tls": listener_uses_tls,
    "route53_zone_dnssec": route53_zone_dnssec,
    "cloud_resource_in_code": cloud_resource_in_code,
}
