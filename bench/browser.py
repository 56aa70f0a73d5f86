"""A small browser for the benchmark and the gunicorn tests: cookies, CSRF, real logins (stdlib only)."""
import html
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_CSRF_HEADER = re.compile(r'"X-CSRFToken":\s*"([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One visitor: keeps its cookies, scrapes the CSRF token, follows redirects only when asked."""

    def __init__(self, base: str, lang: str | None = None):
        self.base = base.rstrip("/")
        self.jar = CookieJar()
        self.csrf = None
        self._follow = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self._stay = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        if lang:
            self.get("/healthz")  # any response, so the jar knows the host for the cookie
            self.set_cookie("lang", lang)

    def set_cookie(self, name: str, value: str) -> None:
        from http.cookiejar import Cookie
        host = urllib.parse.urlsplit(self.base).hostname
        self.jar.set_cookie(Cookie(0, name, value, None, False, host, False, False, "/", True,
                                   False, None, False, None, None, {}))

    def request(self, path: str, data: dict | None = None, follow: bool = True,
                headers: dict | None = None, timeout: float = 60) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        opener = self._follow if follow else self._stay
        try:
            with opener.open(req, timeout=timeout) as response:
                result = Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            result = Response(exc.code, exc.headers, exc.read())
        self._remember_token(result)
        return result

    def get(self, path: str, **kwargs) -> Response:
        return self.request(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> Response:
        """A form post carrying the CSRF token the last page gave us."""
        return self.request(path, data={"csrf_token": self.csrf or "", **(data or {})}, **kwargs)

    def _remember_token(self, response: Response) -> None:
        if "html" not in (response.headers.get("Content-Type") or ""):
            return
        found = _CSRF_HEADER.search(response.text) or _CSRF_FIELD.search(response.text)
        if found:
            self.csrf = html.unescape(found.group(1))

    def login(self, email: str, password: str, attempts: int = 3) -> None:
        """Log in through the login form; raises if the site did not accept the login."""
        for attempt in range(attempts):
            self.get("/login")
            response = self.post("/login", {"email": email, "password": password}, follow=False)
            if response.status in (302, 303) and self.cookie("session"):
                self.get("/")  # the token of the logged-in session
                return
            time.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"login as {email} failed: HTTP {response.status}")

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)
