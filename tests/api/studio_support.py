"""A signed-in browser session for studio tests: `from studio_support import Browser`."""

import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client signed in through the login form, sending the CSRF token like the pages."""

    def __init__(self, client, username):
        self.client = client
        token = CSRF.search(client.get("/login").text).group(1)
        response = client.post("/login", data={"username": username, "password": "linkpass",
                                                "csrf_token": token})
        assert response.status_code == 302, response.text
        # Signing in starts a fresh session: take the new token from any page.
        self.csrf = CSRF.search(client.get("/inbox").text).group(1)

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def json(self, method, url, body=None):
        return self.client.open(url, method=method, json=body, headers={
            "X-CSRFToken": self.csrf, "Accept": "application/json"})

    def form(self, url, data, **kwargs):
        return self.client.post(url, data={**data, "csrf_token": self.csrf}, **kwargs)
