"""The maturity model as data: YAML files and the one loader that reads them."""
