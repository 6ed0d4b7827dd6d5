// A DUI written with Jakarta Mail (Debian's libjakarta-mail-java): sends an MSSante message with a PDF
// and an IHE_XDM.zip over SMTP STARTTLS + XOAUTH2, then reads the recipient's INBOX over IMAP
// STARTTLS + XOAUTH2 and prints every attachment's disposition and file name, as Jakarta Mail
// parses them from BODYSTRUCTURE. Compiled and run by tests/mss/test_third_party_clients.py.
import jakarta.mail.BodyPart;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.File;
import java.util.Properties;

public class MssClient {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int smtpPort = Integer.parseInt(args[1]);
        int imapPort = Integer.parseInt(args[2]);
        String from = args[3], fromLogin = args[4], fromToken = args[5];
        String to = args[6], toLogin = args[7], toToken = args[8];
        Properties props = new Properties();
        for (String proto : new String[] {"smtp", "imap"}) {
            props.put("mail." + proto + ".starttls.enable", "true");
            props.put("mail." + proto + ".starttls.required", "true");
            props.put("mail." + proto + ".auth.mechanisms", "XOAUTH2");
            props.put("mail." + proto + ".ssl.checkserveridentity", "true");
            props.put("mail." + proto + ".timeout", "30000");
        }
        props.put("mail.smtp.auth", "true");
        Session session = Session.getInstance(props);

        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject("Envoi Jakarta Mail", "UTF-8");
        message.setHeader("X-MSS-NIL", "DEV-JAKARTA");
        MimeMultipart content = new MimeMultipart();
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Bonjour depuis Jakarta Mail", "UTF-8");
        content.addBodyPart(text);
        content.addBodyPart(attachment(args[9], "application/pdf"));
        content.addBodyPart(attachment(args[10], "application/zip"));
        message.setContent(content);
        Transport transport = session.getTransport("smtp");
        transport.connect(host, smtpPort, fromLogin, fromToken);
        transport.sendMessage(message, message.getAllRecipients());
        transport.close();
        System.out.println("SENT");

        Store store = session.getStore("imap");
        store.connect(host, imapPort, toLogin, toToken);
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        for (Message received : inbox.getMessages()) {
            Object body = received.getContent();
            if (body instanceof Multipart parts) {
                for (int i = 0; i < parts.getCount(); i++) {
                    BodyPart part = parts.getBodyPart(i);
                    if (part.getDisposition() != null) {
                        System.out.println("ATTACHMENT " + part.getDisposition() + " " + part.getFileName());
                    }
                }
            }
        }
        inbox.close(false);
        store.close();
    }

    private static MimeBodyPart attachment(String path, String type) throws Exception {
        MimeBodyPart part = new MimeBodyPart();
        part.attachFile(new File(path), type, "base64");
        return part;
    }
}
