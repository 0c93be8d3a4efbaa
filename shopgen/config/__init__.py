"""Reading YAML with file:line for every value (`yaml_source`, and `plain_yaml` for the usual
product file's layout without PyYAML), declarative field checks that collect every problem
(`fields`), and the shop.yaml schema (`shop_yaml`)."""
