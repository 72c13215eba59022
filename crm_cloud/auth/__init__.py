"""Users, OAuth 2 (authorization code + PKCE) and the sign-in page."""
