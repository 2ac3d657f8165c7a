-- One database, one role per service. A service creates and owns its own schema (named after it,
-- so "$user" in the default search_path finds it) and cannot read another service's tables.
-- Local development only: the passwords are the role names.
CREATE ROLE entitlements LOGIN PASSWORD 'entitlements';
CREATE ROLE provisioning LOGIN PASSWORD 'provisioning';
CREATE ROLE identity LOGIN PASSWORD 'identity';
CREATE ROLE retention LOGIN PASSWORD 'retention';
GRANT CONNECT, CREATE ON DATABASE offboarding TO entitlements, provisioning, identity, retention;
