// A DUI written with nodemailer + imapflow: sends an MSSante message with a PDF and an IHE_XDM.zip over
// SMTP STARTTLS + XOAUTH2, then reads the recipient's INBOX over IMAP STARTTLS + XOAUTH2 and prints each
// attachment's disposition and file name from BODYSTRUCTURE. Run by tests/mss/test_third_party_clients.py
// with NODE_EXTRA_CA_CERTS pointing at the bench root certificate.
import nodemailer from "nodemailer";
import { ImapFlow } from "imapflow";

const [host, smtpPort, imapPort, from, fromLogin, fromToken, to, toLogin, toToken, pdf, xdm] = process.argv.slice(2);

const transport = nodemailer.createTransport({
  host, port: Number(smtpPort), secure: false, requireTLS: true,
  auth: { type: "OAuth2", user: fromLogin, accessToken: fromToken },
});
await transport.sendMail({
  from, to, subject: "Envoi nodemailer", text: "Bonjour depuis nodemailer",
  headers: { "X-MSS-NIL": "DEV-NODE" },
  attachments: [{ path: pdf }, { path: xdm }],
});
console.log("SENT");

const client = new ImapFlow({
  host, port: Number(imapPort), secure: false, doSTARTTLS: true, logger: false,
  auth: { user: toLogin, accessToken: toToken },
});
await client.connect();
const lock = await client.getMailboxLock("INBOX");
try {
  for await (const message of client.fetch("1:*", { bodyStructure: true })) {
    for (const node of message.bodyStructure.childNodes || []) {
      if (node.disposition) {
        console.log(`ATTACHMENT ${node.disposition} ${(node.dispositionParameters || {}).filename}`);
      }
    }
  }
} finally {
  lock.release();
}
await client.logout();
