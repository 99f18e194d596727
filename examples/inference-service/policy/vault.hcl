# OPENAI_API_KEY
path "secret/data/inference" {
  capabilities = ["read"]
}
