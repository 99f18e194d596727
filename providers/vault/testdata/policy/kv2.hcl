# DB.User, DB.Password, Old
path "secret/data/app" {
  capabilities = ["read"]
}
