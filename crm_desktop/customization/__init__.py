"""Custom fields on the client: the definitions this replica has, checked on every edit."""
