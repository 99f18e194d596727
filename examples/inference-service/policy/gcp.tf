resource "google_secret_manager_secret_iam_member" "accessor_my-project_inference-openai" {
  project   = "my-project"
  secret_id = "inference-openai"
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:inference@my-project.iam.gserviceaccount.com"
}
