resource "google_secret_manager_secret_iam_member" "accessor_my-project_api-key" {
  project   = "my-project"
  secret_id = "api-key"
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:app@my-project.iam.gserviceaccount.com"
}

resource "google_secret_manager_secret_iam_member" "accessor_my-project_db-password" {
  project   = "my-project"
  secret_id = "db-password"
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:app@my-project.iam.gserviceaccount.com"
}

resource "google_secret_manager_secret_iam_member" "accessor_shared-123_tls_cert" {
  project   = "shared-123"
  secret_id = "tls_cert"
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:app@my-project.iam.gserviceaccount.com"
}
