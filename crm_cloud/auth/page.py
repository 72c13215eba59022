"""The server's own sign-in page (HTML, every value escaped)."""

from __future__ import annotations

from html import escape

_STYLE = """
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC",sans-serif;
background:#f3f5f9;color:#1d2433}
main{background:#fff;width:100%;max-width:380px;padding:32px 32px 28px;border-radius:12px;
box-shadow:0 8px 30px rgba(20,30,60,.12)}
h1{font-size:1.35rem;margin:0 0 4px}
p.sub{margin:0 0 24px;color:#5b6478;font-size:.92rem}
label{display:block;font-size:.85rem;font-weight:600;margin:14px 0 6px}
input[type=email],input[type=password]{width:100%;padding:10px 12px;font-size:1rem;
border:1px solid #c9cfdb;border-radius:8px}
input:focus{outline:2px solid #3b6ef5;border-color:#3b6ef5}
button{margin-top:22px;width:100%;padding:11px;font-size:1rem;font-weight:600;color:#fff;
background:#3b6ef5;border:0;border-radius:8px;cursor:pointer}
button:hover{background:#2f5bd0}
.error{background:#fdecec;color:#a61b1b;border:1px solid #f5c2c2;padding:10px 12px;
border-radius:8px;font-size:.9rem;margin-bottom:8px}
footer{margin-top:18px;font-size:.78rem;color:#8a93a6;text-align:center}
"""

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def signin_page(
    server_name: str, hidden: dict[str, str], *, email: str = "", error: str | None = None
) -> str:
    hidden_inputs = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    error_html = f'<div class="error" role="alert">{escape(error)}</div>' if error else ""
    body = (
        f"<h1>Sign in to {escape(server_name)}</h1>"
        '<p class="sub">The CRM desktop app asked to connect to your account.</p>'
        f"{error_html}"
        '<form method="post" action="/oauth/authorize">'
        f"{hidden_inputs}"
        '<label for="email">Email</label>'
        f'<input type="email" id="email" name="email" value="{escape(email)}" autocomplete="username" '
        'required autofocus>'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button>'
        "</form>"
        "<footer>After signing in you will be sent back to the desktop app.</footer>"
    )
    return _page(f"Sign in – {server_name}", body)


def error_page(server_name: str, message: str) -> str:
    body = (
        f"<h1>{escape(server_name)}</h1>"
        f'<div class="error" role="alert">{escape(message)}</div>'
        "<p class=\"sub\">Close this window and try again from the desktop app.</p>"
    )
    return _page(f"Sign-in problem – {server_name}", body)
