"""The one administrator account, sessions and CSRF tokens.

Passwords are stored as ``scrypt$n$r$p$salt$hash`` (``hashlib.scrypt``, a slow,
memory-hard hash with a random salt). A session is a random token in an HttpOnly,
SameSite=Lax cookie; only its SHA-256 is stored, next to the session's CSRF token, which
every form posts back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from .workspace import TZ, Workspace, now_iso

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_DAYS = 14
MIN_PASSWORD = 8
ADMIN = "admin"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                         p=int(p), dklen=len(bytes.fromhex(digest)))
    return hmac.compare_digest(got, bytes.fromhex(digest))


def password_problem(password: str, confirm: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符 / at least {MIN_PASSWORD} characters"
    if password != confirm:
        return "两次输入的密码不一致 / the two passwords differ"
    return None


def has_admin(ws: Workspace) -> bool:
    return bool(ws.query("SELECT 1 FROM users LIMIT 1"))


def set_admin_password(ws: Workspace, password: str) -> None:
    """Create the administrator (first start) or change the password."""
    h = hash_password(password)
    with ws.transaction() as db:
        db.execute("INSERT INTO users(name, pw_hash, created_at) VALUES(?, ?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET pw_hash = excluded.pw_hash",
                   (ADMIN, h, now_iso()))


def login(ws: Workspace, password: str) -> str | None:
    """A new session token when the password is right, else None."""
    rows = ws.query("SELECT id, pw_hash FROM users WHERE name = ?", (ADMIN,))
    if not rows or not verify_password(password, rows[0]["pw_hash"]):
        return None
    token = secrets.token_urlsafe(32)
    expires = (dt.datetime.now(TZ) + dt.timedelta(days=SESSION_DAYS)).isoformat()
    with ws.transaction() as db:
        db.execute("DELETE FROM sessions WHERE expires_at < ?", (now_iso(),))
        db.execute("INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at) "
                   "VALUES(?, ?, ?, ?, ?)", (_h(token), rows[0]["id"],
                                             secrets.token_urlsafe(24), now_iso(), expires))
    return token


def session(ws: Workspace, token: str | None) -> dict | None:
    """``{"user": name, "csrf": token}`` for a live session token, else None."""
    if not token:
        return None
    rows = ws.query("SELECT s.csrf, s.expires_at, u.name FROM sessions s JOIN users u "
                    "ON u.id = s.user_id WHERE s.token_hash = ?", (_h(token),))
    if not rows or dt.datetime.fromisoformat(rows[0]["expires_at"]) < dt.datetime.now(TZ):
        return None
    return {"user": rows[0]["name"], "csrf": rows[0]["csrf"]}


def logout(ws: Workspace, token: str | None) -> None:
    if token:
        with ws.transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (_h(token),))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
