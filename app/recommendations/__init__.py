"""The recommendations register (design.md §8.1): what each State received from the UPR, the
treaty bodies and the special procedures, imported from the Universal Human Rights Index or
typed, and how far each one is implemented.

A low layer: it imports core, auth, reference and settings only. Applications and reports
build on it, never the reverse."""
