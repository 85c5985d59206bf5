"""Terraform: parsed ``.tf`` folders and ``terraform show -json`` plan or state JSON."""
