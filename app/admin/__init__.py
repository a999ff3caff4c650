"""People management: users and roles (admin), invitations and vetting (admin, secretariat),
and the mail outbox."""
