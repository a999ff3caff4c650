"""The roster's experts: the profile each expert keeps (languages, themes, availability,
CV, daily rate) and the secretariat's vetting of it (design.md §3.4)."""
