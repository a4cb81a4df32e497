"""Every state change of dxapp goes through this package and writes its audit event in the same
transaction.  Views call services; services call rules and models."""
