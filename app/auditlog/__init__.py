"""Reading and verifying the audit log (the log itself is `app.core.audit`)."""
