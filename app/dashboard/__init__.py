"""Each role's landing page after sign-in."""
