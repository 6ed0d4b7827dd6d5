"""Third-party clients nobody on this project wrote: curl (SMTP and IMAP, STARTTLS + OAuth bearer)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from simulators.mss.client import wire_bytes
from tests.mss.conftest import port_of
from tests.mss.test_imap_fidelity import PDF_NAME, send_with_attachments
from tests.mss.test_operator import CRIP, ERGO
from simulators.mss.client import compose

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(CURL is None, reason="curl is not installed on this machine")


def _curl(mss_bench, pki, scheme: str, path: str, user: str, token: str, *extra: str) -> subprocess.CompletedProcess:
    port = port_of(mss_bench, scheme)
    return subprocess.run(
        [CURL, "--silent", "--show-error", "--ssl-reqd", "--cacert", str(pki.root_path), "--max-time", "30",
         "--resolve", f"localhost:{port}:127.0.0.1", "--user", f"{user}:", "--oauth2-bearer", token,
         f"{scheme}://localhost:{port}{path}", *extra],
        capture_output=True, timeout=60, check=False)


def test_curl_sends_over_smtp_and_reads_over_imap_with_oauth2_bearer(mss_bench, pki, mail, token_for, session,
                                                                   tmp_path) -> None:
    message = tmp_path / "message.eml"
    message.write_bytes(wire_bytes(compose(ERGO, "Ergo", [CRIP], "Envoi par curl", "Bonjour depuis curl.")))
    sent = _curl(mss_bench, pki, "smtp", "", f"{session}/{ERGO}", token_for(ERGO, session=session),
                 "--mail-from", ERGO, "--mail-rcpt", CRIP, "--upload-file", str(message))
    assert sent.returncode == 0, sent.stderr
    send_with_attachments(mail, token_for, session)
    token = token_for(CRIP, session=session)
    listing = _curl(mss_bench, pki, "imap", "/INBOX?ALL", f"{session}/{CRIP}", token)
    assert listing.returncode == 0 and listing.stdout.split() == [b"*", b"SEARCH", b"1", b"2"], listing
    first = _curl(mss_bench, pki, "imap", "/INBOX;UID=1", f"{session}/{CRIP}", token)
    assert first.returncode == 0 and b"Subject: Envoi par curl" in first.stdout, first.stderr
    structure = _curl(mss_bench, pki, "imap", "/INBOX", f"{session}/{CRIP}", token,
                      "--request", "UID FETCH 2 BODYSTRUCTURE")
    assert b'("attachment" ("filename" "IHE_XDM.zip"))' in structure.stdout, structure.stdout
    assert f'("attachment" ("filename" "{PDF_NAME}"))'.encode() in structure.stdout


def test_curl_with_an_expired_token_is_refused(mss_bench, pki, token_for, session) -> None:
    expired = token_for(ERGO, session=session, expires_in=-30)
    refused = _curl(mss_bench, pki, "imap", "/INBOX?ALL", f"{session}/{ERGO}", expired)
    assert refused.returncode == 67, refused  # CURLE_LOGIN_DENIED
    refused = _curl(mss_bench, pki, "smtp", "", f"{session}/{ERGO}", expired, "--mail-from", ERGO,
                    "--mail-rcpt", CRIP, "--upload-file", "/dev/null")
    assert refused.returncode == 67, refused


JAVA_CLASSPATH = ["/usr/share/java/jakarta-mail.jar", "/usr/share/java/jakarta-activation.jar"]


def _jakarta_missing() -> str:
    import os

    if not shutil.which("javac") or not shutil.which("java") or not shutil.which("keytool"):
        return "no Java JDK (javac/java/keytool) on this machine"
    missing = [jar for jar in JAVA_CLASSPATH if not os.path.exists(jar)]
    return f"Debian libjakarta-mail-java not installed (make mailclients): {missing}" if missing else ""


@pytest.mark.skipif(bool(_jakarta_missing()), reason=_jakarta_missing() or "ok")
def test_jakarta_mail_sends_and_opens_a_message_with_pdf_and_xdm(mss_bench, pki, token_for, session,
                                                                 tmp_path) -> None:
    """Jakarta Mail used to fail on any message with an attachment: 'bad single part disposition'."""
    from pathlib import Path

    from simulators.mss.client import build_patient_xdm
    from tests.mss.test_imap_fidelity import PDF
    from tests.mss.test_operator import ELLIOT

    source = Path(__file__).parents[1] / "clients" / "java" / "MssClient.java"
    classpath = ":".join(JAVA_CLASSPATH)
    subprocess.run(["javac", "-d", str(tmp_path), "-cp", classpath, str(source)], check=True, timeout=120)
    truststore = tmp_path / "trust.p12"
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "bench-root", "-file", str(pki.root_path),
                    "-keystore", str(truststore), "-storetype", "PKCS12", "-storepass", "changeit"],
                   check=True, timeout=60, capture_output=True)
    (tmp_path / PDF_NAME).write_bytes(PDF)
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR", sender="Ergo")
    (tmp_path / "IHE_XDM.zip").write_bytes(xdm)
    run = subprocess.run(
        ["java", f"-Djavax.net.ssl.trustStore={truststore}", "-Djavax.net.ssl.trustStorePassword=changeit",
         "-cp", f"{tmp_path}:{classpath}", "MssClient", "localhost", str(port_of(mss_bench, "smtp")),
         str(port_of(mss_bench, "imap")), ERGO, f"{session}/{ERGO}", token_for(ERGO, session=session),
         CRIP, f"{session}/{CRIP}", token_for(CRIP, session=session), str(tmp_path / PDF_NAME),
         str(tmp_path / "IHE_XDM.zip")], capture_output=True, timeout=120, check=False)
    out = run.stdout.decode()
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    assert "SENT" in out
    assert f"ATTACHMENT attachment {PDF_NAME}" in out and "ATTACHMENT attachment IHE_XDM.zip" in out, out


NODE_DIR = __import__("pathlib").Path(__file__).parents[1] / "clients" / "node"


def _node_missing() -> str:
    if not shutil.which("node"):
        return "Node.js is not installed on this machine"
    if not (NODE_DIR / "node_modules" / "imapflow").is_dir():
        return "imapflow/nodemailer not installed (make mailclients runs npm ci in tests/clients/node)"
    return ""


@pytest.mark.skipif(bool(_node_missing()), reason=_node_missing() or "ok")
def test_nodemailer_and_imapflow_send_and_read_both_attachment_names(mss_bench, pki, token_for, session,
                                                                     tmp_path) -> None:
    import os

    from simulators.mss.client import build_patient_xdm
    from tests.mss.test_imap_fidelity import PDF
    from tests.mss.test_operator import ELLIOT

    (tmp_path / PDF_NAME).write_bytes(PDF)
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR", sender="Ergo")
    (tmp_path / "IHE_XDM.zip").write_bytes(xdm)
    run = subprocess.run(
        ["node", str(NODE_DIR / "mss_client.mjs"), "localhost", str(port_of(mss_bench, "smtp")),
         str(port_of(mss_bench, "imap")), ERGO, f"{session}/{ERGO}", token_for(ERGO, session=session),
         CRIP, f"{session}/{CRIP}", token_for(CRIP, session=session), str(tmp_path / PDF_NAME),
         str(tmp_path / "IHE_XDM.zip")], capture_output=True, timeout=120, check=False,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(pki.root_path)})
    out = run.stdout.decode()
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    assert "SENT" in out
    assert f"ATTACHMENT attachment {PDF_NAME}" in out and "ATTACHMENT attachment IHE_XDM.zip" in out, out
