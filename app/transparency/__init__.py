"""What the public sees: funded projects, success stories, the annual report (design.md §3.6)."""
