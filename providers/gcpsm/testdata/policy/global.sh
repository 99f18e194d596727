gcloud secrets add-iam-policy-binding api-key --project=my-project --member=serviceAccount:app@my-project.iam.gserviceaccount.com --role=roles/secretmanager.secretAccessor
gcloud secrets add-iam-policy-binding db-password --project=my-project --member=serviceAccount:app@my-project.iam.gserviceaccount.com --role=roles/secretmanager.secretAccessor
gcloud secrets add-iam-policy-binding tls_cert --project=shared-123 --member=serviceAccount:app@my-project.iam.gserviceaccount.com --role=roles/secretmanager.secretAccessor
