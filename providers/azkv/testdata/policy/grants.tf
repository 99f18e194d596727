resource "azurerm_role_assignment" "secrets_user_prod_vault_db_password" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/prod-vault/secrets/db-password"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = "11111111-2222-3333-4444-555555555555"
}

resource "azurerm_role_assignment" "secrets_user_shared_kv_tls" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/shared-kv/secrets/tls"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = "11111111-2222-3333-4444-555555555555"
}
