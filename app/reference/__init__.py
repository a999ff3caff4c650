"""Reference data: States, human rights themes, mechanisms, SDGs, languages, currencies."""
