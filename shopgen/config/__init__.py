"""Reading YAML with file:line for every value (`yaml_source`), declarative field checks that
collect every problem (`fields`), and the shop.yaml schema (`shop_yaml`)."""
