"""What the public sees: funded projects, success stories, the annual report (DESIGN §3.6)."""
