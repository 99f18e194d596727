gcloud secrets add-iam-policy-binding api-key --project=my-project --location=europe-west1 --member=serviceAccount:app@my-project.iam.gserviceaccount.com --role=roles/secretmanager.secretAccessor
