# Postgres
path "database/creds/app" {
  capabilities = ["read"]
}

# Legacy
path "kv1/legacy" {
  capabilities = ["read"]
}

# DB.User, DB.Password, Old
path "secret/data/app" {
  capabilities = ["read"]
}

# API
path "team/kv/data/api" {
  capabilities = ["read"]
}

# renewal of the dynamic secrets' leases
path "sys/leases/renew" {
  capabilities = ["update"]
}
