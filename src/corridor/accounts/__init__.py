"""Units, users and roles, sign-in (sessions, API tokens), and the permission matrix."""
