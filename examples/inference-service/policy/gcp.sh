gcloud secrets add-iam-policy-binding inference-openai --project=my-project --member=serviceAccount:inference@my-project.iam.gserviceaccount.com --role=roles/secretmanager.secretAccessor
