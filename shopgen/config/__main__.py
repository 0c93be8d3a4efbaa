"""`python -m shopgen.config`: print shop.yaml's reference table (the README shows it)."""

from shopgen.config.shop_yaml import shop_yaml_reference

print(shop_yaml_reference())
