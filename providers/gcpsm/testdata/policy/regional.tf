resource "google_secret_manager_regional_secret_iam_member" "accessor_my-project_europe-west1_api-key" {
  project   = "my-project"
  location  = "europe-west1"
  secret_id = "api-key"
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:app@my-project.iam.gserviceaccount.com"
}
