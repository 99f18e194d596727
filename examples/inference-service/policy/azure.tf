resource "azurerm_role_assignment" "secrets_user_prod_inference_openai_key" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/prod-inference/secrets/openai-key"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = "11111111-2222-3333-4444-555555555555"
}
