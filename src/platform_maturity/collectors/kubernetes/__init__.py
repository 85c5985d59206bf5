"""Kubernetes manifests and cluster dumps: workloads, pod specs, containers and policies."""
