<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name></name>
    <message>
        <location filename="../../ui/chat.py" line="+42"/>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send the message to everyone (Enter)</source>
        <translation>Die Nachricht an alle senden (Eingabe)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write to everyone…</source>
        <translation>An alle schreiben…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat message</source>
        <translation>Chat-Nachricht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat messages</source>
        <translation>Chat-Nachrichten</translation>
    </message>
    <message>
        <location filename="../../ui/gallery.py" line="+77"/>
        <source>Participants&apos; video</source>
        <translation>Video der Teilnehmenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous page</source>
        <translation>Vorherige Seite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next page</source>
        <translation>Nächste Seite</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Page {n} of {total}</source>
        <translation>Seite {n} von {total}</translation>
    </message>
    <message>
        <location filename="../../ui/left_page.py" line="+56"/>
        <source>The teacher ended the lesson.</source>
        <translation>Die Lehrkraft hat die Stunde beendet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The teacher removed you from the lesson.</source>
        <translation>Die Lehrkraft hat dich aus der Stunde entfernt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The teacher did not let you in.</source>
        <translation>Die Lehrkraft hat dich nicht hereingelassen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The lesson link has expired.</source>
        <translation>Der Link zur Stunde ist abgelaufen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The school&apos;s server closed the lesson.</source>
        <translation>Der Server der Schule hat die Stunde geschlossen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You are in this lesson on another connection now.</source>
        <translation>Du bist jetzt über eine andere Verbindung in dieser Stunde.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You left the lesson.</source>
        <translation>Du hast die Stunde verlassen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You did not join. Nothing was sent to the school&apos;s server.</source>
        <translation>Du bist nicht beigetreten. An den Server der Schule wurde nichts gesendet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The call has ended.</source>
        <translation>Der Anruf ist beendet.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>✔ The call&apos;s data on this computer has been deleted.</source>
        <translation>✔ Die Daten des Anrufs auf diesem Computer wurden gelöscht.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Some of the call&apos;s data could not be deleted from this computer ({count} files left). Please tell your school&apos;s IT.</source>
        <translation>Einige Daten des Anrufs konnten auf diesem Computer nicht gelöscht werden ({count} Dateien übrig). Bitte sag der IT deiner Schule Bescheid.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Join another lesson</source>
        <translation>An einer anderen Stunde teilnehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../../ui/lesson.py" line="+171"/>
        <source>Camera locked</source>
        <translation>Kamera gesperrt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Your teacher turned your camera off and locked it</source>
        <translation>Deine Lehrkraft hat deine Kamera ausgeschaltet und gesperrt</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+2"/>
        <location filename="../../ui/prejoin.py" line="+230"/>
        <location filename="../../ui/teacher_panel.py" line="+120"/>
        <source>Camera off</source>
        <translation>Kamera aus</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>You chose to take part with sound only</source>
        <translation>Du nimmst nur mit Ton teil</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/prejoin.py" line="+0"/>
        <source>Camera on</source>
        <translation>Kamera an</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/prejoin.py" line="+2"/>
        <source>Turn the camera on or off ({key})</source>
        <translation>Kamera ein- oder ausschalten ({key})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Microphone locked</source>
        <translation>Mikrofon gesperrt</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Your teacher turned your microphone off and locked it</source>
        <translation>Deine Lehrkraft hat dein Mikrofon ausgeschaltet und gesperrt</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../../ui/prejoin.py" line="-1"/>
        <source>Microphone on</source>
        <translation>Mikrofon an</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/prejoin.py" line="+0"/>
        <source>Microphone off</source>
        <translation>Mikrofon aus</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/prejoin.py" line="+3"/>
        <source>Turn the microphone on or off ({key})</source>
        <translation>Mikrofon ein- oder ausschalten ({key})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Lower hand</source>
        <translation>Hand senken</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Raise hand</source>
        <translation>Hand heben</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raise or lower your hand ({key})</source>
        <translation>Hand heben oder senken ({key})</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../ui/privacy_notice.py" line="+76"/>
        <location filename="../../ui/waiting.py" line="+57"/>
        <source>Leave</source>
        <translation>Verlassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leave the lesson ({key})</source>
        <translation>Die Stunde verlassen ({key})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Class ({count} waiting)</source>
        <translation>Klasse ({count} warten)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Class</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat and class</source>
        <translation>Chat und Klasse</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="+97"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hide this message</source>
        <translation>Diese Meldung ausblenden</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>Do you agree to be recorded? Until you agree, your camera and microphone stay off.</source>
        <translation>Bist du einverstanden, aufgenommen zu werden? Bis du zustimmst, bleiben deine Kamera und dein Mikrofon aus.</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Wrong user name or password.</source>
        <translation>Benutzername oder Passwort falsch.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+313"/>
        <source>The school&apos;s server is busy. Please try again in a moment.</source>
        <translation>Der Server der Schule ist ausgelastet. Bitte versuche es gleich noch einmal.</translation>
    </message>
    <message>
        <location line="-312"/>
        <location filename="../../ui/recordings_dialog.py" line="+164"/>
        <source>Please sign in again.</source>
        <translation>Bitte melde dich noch einmal an.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only teachers can create lessons.</source>
        <translation>Nur Lehrkräfte können Stunden anlegen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+306"/>
        <location filename="../../ui/recordings_dialog.py" line="+6"/>
        <source>The school&apos;s server cannot be reached.</source>
        <translation>Der Server der Schule ist nicht erreichbar.</translation>
    </message>
    <message>
        <location line="-145"/>
        <source>Your internet connection is weak: the others see and hear you with interruptions.</source>
        <translation>Deine Internetverbindung ist schwach: Die anderen sehen und hören dich mit Unterbrechungen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your internet connection is weak: the others&apos; video and sound reach you with interruptions.</source>
        <translation>Deine Internetverbindung ist schwach: Bild und Ton der anderen kommen bei dir mit Unterbrechungen an.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Your internet connection is weak: your video is sent at lower quality.</source>
        <translation>Deine Internetverbindung ist schwach: Dein Video wird in geringerer Qualität gesendet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your internet connection is too weak for video: the others still hear you; your picture comes back when the connection allows it.</source>
        <translation>Deine Internetverbindung ist zu schwach für Video: Die anderen hören dich weiter; dein Bild kommt zurück, sobald die Verbindung es erlaubt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Media reconnecting: the school&apos;s media server restarted. The lesson goes on.</source>
        <translation>Medien werden neu verbunden: Der Medienserver der Schule wurde neu gestartet. Der Unterricht geht weiter.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The connection to the school&apos;s server was lost. Reconnecting…</source>
        <translation>Die Verbindung zum Server der Schule ist unterbrochen. Neu verbinden…</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>The school&apos;s server turned your camera off: a recording is on that needs your consent.</source>
        <translation>Der Server der Schule hat deine Kamera ausgeschaltet: Es läuft eine Aufnahme, die deine Einwilligung braucht.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The school&apos;s server turned your microphone off: a recording is on that needs your consent.</source>
        <translation>Der Server der Schule hat dein Mikrofon ausgeschaltet: Es läuft eine Aufnahme, die deine Einwilligung braucht.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your teacher turned your camera off.</source>
        <translation>Deine Lehrkraft hat deine Kamera ausgeschaltet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your teacher turned your microphone off.</source>
        <translation>Deine Lehrkraft hat dein Mikrofon ausgeschaltet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It stays off until your teacher unlocks it.</source>
        <translation>Das bleibt so, bis deine Lehrkraft es wieder freigibt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher unlocked your camera. You can turn it on again if you want to.</source>
        <translation>Deine Lehrkraft hat deine Kamera freigegeben. Du kannst sie wieder einschalten, wenn du möchtest.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher unlocked your microphone. You can turn it on again if you want to.</source>
        <translation>Deine Lehrkraft hat dein Mikrofon freigegeben. Du kannst es wieder einschalten, wenn du möchtest.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your teacher asks you to turn your camera on. You decide.</source>
        <translation>Deine Lehrkraft bittet dich, deine Kamera einzuschalten. Du entscheidest.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your teacher asks you to turn your microphone on. You decide.</source>
        <translation>Deine Lehrkraft bittet dich, dein Mikrofon einzuschalten. Du entscheidest.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher lowered your hand.</source>
        <translation>Deine Lehrkraft hat deine Hand gesenkt.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The PIN is not right. Please check it and try again.</source>
        <translation>Die PIN stimmt nicht. Bitte prüfe sie und versuche es noch einmal.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This lesson link has expired. Ask your teacher for a new one.</source>
        <translation>Dieser Link ist abgelaufen. Bitte deine Lehrkraft um einen neuen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This lesson link does not work on this server.</source>
        <translation>Dieser Link funktioniert auf diesem Server nicht.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This lesson has already ended.</source>
        <translation>Diese Stunde ist bereits beendet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher has locked this off.</source>
        <translation>Deine Lehrkraft hat das gesperrt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the teacher can do that.</source>
        <translation>Das kann nur die Lehrkraft.</translation>
    </message>
    <message>
        <location line="-312"/>
        <location line="+313"/>
        <source>Too many tries. Please wait a minute.</source>
        <translation>Zu viele Versuche. Bitte warte eine Minute.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Camera or microphone could not be connected.</source>
        <translation>Kamera oder Mikrofon konnten nicht verbunden werden.</translation>
    </message>
    <message>
        <location line="-312"/>
        <location line="+335"/>
        <location filename="../../ui/recordings_dialog.py" line="+5"/>
        <source>Something went wrong: {message}</source>
        <translation>Etwas ist schiefgegangen: {message}</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>This lesson is full.</source>
        <translation>Diese Stunde ist voll.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The teacher has locked this lesson: nobody new can join.</source>
        <translation>Die Lehrkraft hat die Stunde gesperrt: Niemand Neues kann beitreten.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Background blur is not available on this computer, so your whole picture is blurred instead.</source>
        <translation>Hintergrund-Unschärfe ist auf diesem Computer nicht verfügbar, deshalb wird dein ganzes Bild unscharf gemacht.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The camera or microphone could not be opened. Check that it is connected and not used by another program.</source>
        <translation>Kamera oder Mikrofon konnten nicht geöffnet werden. Prüfe, ob sie angeschlossen sind und kein anderes Programm sie benutzt.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The sound cannot be played on the chosen speaker. Check that it is connected, or choose another output.</source>
        <translation>Der Ton kann auf dem gewählten Lautsprecher nicht abgespielt werden. Prüfe, ob er angeschlossen ist, oder wähle eine andere Ausgabe.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The speaker was disconnected. The sound now plays on the computer&apos;s default output.</source>
        <translation>Der Lautsprecher wurde getrennt. Der Ton kommt jetzt aus der Standardausgabe des Computers.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The school&apos;s server refused to record: {message}</source>
        <translation>Der Server der Schule hat die Aufnahme abgelehnt: {message}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A recording is on: your camera and microphone stay off unless you agree to be recorded.</source>
        <translation>Es läuft eine Aufnahme: Deine Kamera und dein Mikrofon bleiben aus, solange du der Aufnahme nicht zustimmst.</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Klasse</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <location filename="../../ui/prejoin.py" line="-37"/>
        <source>Get ready</source>
        <translation>Mach dich bereit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your camera and microphone stay off until you turn them on. The preview shows exactly what others will see: your background is blurred on this computer before anything is sent.</source>
        <translation>Kamera und Mikrofon bleiben aus, bis du sie einschaltest. Die Vorschau zeigt genau, was andere sehen: dein Hintergrund wird auf diesem Computer unscharf gemacht, bevor etwas gesendet wird.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Lesson on {server}</source>
        <translation>Stunde auf {server}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your &amp;name:</source>
        <translation>Dein &amp;Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your name</source>
        <translation>Dein Name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First name and initial, as your teacher knows you</source>
        <translation>Vorname und Initiale, wie deine Lehrkraft dich kennt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;PIN (if you got one):</source>
        <translation>&amp;PIN (falls du eine hast):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Camera:</source>
        <translation>&amp;Kamera:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera device</source>
        <translation>Kameragerät</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Microphone:</source>
        <translation>&amp;Mikrofon:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Microphone device</source>
        <translation>Mikrofongerät</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Background:</source>
        <translation>&amp;Hintergrund:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Background</source>
        <translation>Hintergrund</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test picture (no camera)</source>
        <translation>Testbild (keine Kamera)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test tone (no microphone)</source>
        <translation>Testton (kein Mikrofon)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No sound (levels only)</source>
        <translation>Kein Ton (nur Pegel)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Speaker:</source>
        <translation>&amp;Lautsprecher:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speaker device</source>
        <translation>Lautsprecher</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Microphone level:</source>
        <translation>Mikrofonpegel:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Microphone level</source>
        <translation>Mikrofonpegel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play &amp;test sound</source>
        <translation>&amp;Testton abspielen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Blur my background</source>
        <translation>Hintergrund unscharf machen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Replace my background with a picture</source>
        <translation>Hintergrund durch ein Bild ersetzen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hide everything but me</source>
        <translation>Alles außer mir ausblenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show my background</source>
        <translation>Hintergrund zeigen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Join lesson</source>
        <translation>Stunde &amp;beitreten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <location filename="../../ui/privacy_notice.py" line="-6"/>
        <source>Notice version {version}</source>
        <translation>Version des Hinweises {version}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Privacy notice</source>
        <translation>Datenschutzhinweis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I have read this, continue</source>
        <translation>Gelesen, weiter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue with camera off</source>
        <translation>Mit ausgeschalteter Kamera weiter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Object to being seen: take part with sound only</source>
        <translation>Widerspruch gegen das Bild: nur mit Ton teilnehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not join; talk to your teacher instead</source>
        <translation>Nicht beitreten; stattdessen mit der Lehrkraft sprechen</translation>
    </message>
    <message>
        <location filename="../../ui/recording_banner.py" line="+28"/>
        <source>camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>microphone</source>
        <translation>Mikrofon</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>screen</source>
        <translation>Bildschirm</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the teacher&apos;s {devices}</source>
        <translation>{devices} der Lehrkraft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>nothing yet</source>
        <translation>noch nichts</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{first} and {last}</source>
        <translation>{first} und {last}</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>● Recording state unknown: the connection to the school&apos;s server was lost. Assume the recording ({what}) may still be running.</source>
        <translation>● Aufzeichnung unbekannt: die Verbindung zum Server der Schule ist unterbrochen. Die Aufzeichnung ({what}) läuft vielleicht noch.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>● Recording starts in {seconds} s: {what}. You can turn your camera and microphone off now.</source>
        <translation>● Die Aufzeichnung beginnt in {seconds} s: {what}. Du kannst jetzt Kamera und Mikrofon ausschalten.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>● Recording will start soon: {what}. You can turn your camera and microphone off now.</source>
        <translation>● Die Aufzeichnung beginnt gleich: {what}. Du kannst jetzt Kamera und Mikrofon ausschalten.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>● REC: this lesson is being recorded: {what}.</source>
        <translation>● REC: Diese Stunde wird aufgezeichnet: {what}.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>You agreed to be recorded.</source>
        <translation>Du hast der Aufnahme zugestimmt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You are not recorded: your camera and microphone stay off until the recording ends.</source>
        <translation>Du wirst nicht aufgenommen: Deine Kamera und dein Mikrofon bleiben aus, bis die Aufnahme endet.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recording indicator</source>
        <translation>Aufzeichnungsanzeige</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I agree to be recorded</source>
        <translation>Ich bin mit der Aufzeichnung einverstanden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep me out of the recording</source>
        <translation>Mich nicht aufzeichnen</translation>
    </message>
    <message>
        <location filename="../../ui/start.py" line="+92"/>
        <source>This is not a lesson link: {reason}</source>
        <translation>Das ist kein Link zu einer Stunde: {reason}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Join a lesson</source>
        <translation>An einer Stunde teilnehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the lesson link your teacher sent you, or paste it here.</source>
        <translation>Öffne den Link, den deine Lehrkraft dir geschickt hat, oder füge ihn hier ein.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lesson link</source>
        <translation>Link zur Stunde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Paste</source>
        <translation>&amp;Einfügen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Paste the link from the clipboard</source>
        <translation>Den Link aus der Zwischenablage einfügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open</source>
        <translation>Ö&amp;ffnen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open the lesson link</source>
        <translation>Den Link zur Stunde öffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <location filename="../../ui/teacher_panel.py" line="-78"/>
        <source>Admit</source>
        <translation>Einlassen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Let {name} into the lesson</source>
        <translation>{name} in die Stunde lassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Admit {name}</source>
        <translation>{name} einlassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deny</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Do not let {name} in</source>
        <translation>{name} nicht einlassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deny {name}</source>
        <translation>{name} ablehnen</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>mic on</source>
        <translation>Mikro an</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>mic off</source>
        <translation>Mikro aus</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/video_tile.py" line="+156"/>
        <source>camera on</source>
        <translation>Kamera an</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/video_tile.py" line="+0"/>
        <source>camera off</source>
        <translation>Kamera aus</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>locked</source>
        <translation>gesperrt</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/video_tile.py" line="+2"/>
        <source>hand raised</source>
        <translation>Hand gehoben</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+1"/>
        <source>Turn {name}&apos;s camera off</source>
        <translation>Kamera von {name} ausschalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/video_tile.py" line="+53"/>
        <source>Mic off</source>
        <translation>Mikro aus</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>Turn {name}&apos;s microphone off</source>
        <translation>Mikrofon von {name} ausschalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lock</source>
        <translation>Sperren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let {name} turn camera and microphone on again</source>
        <translation>{name} darf Kamera und Mikrofon wieder einschalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Turn {name}&apos;s camera and microphone off and keep them off</source>
        <translation>Kamera und Mikrofon von {name} ausschalten und gesperrt lassen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+6"/>
        <source>Remove {name} from the lesson</source>
        <translation>{name} aus der Stunde entfernen</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>Waiting room ({count})</source>
        <translation>Warteraum ({count})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pupils in the lesson ({count})</source>
        <translation>Schülerinnen und Schüler in der Stunde ({count})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Admit all</source>
        <translation>Alle einlassen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Let everyone waiting into the lesson</source>
        <translation>Alle Wartenden in die Stunde lassen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Deny all</source>
        <translation>Alle abweisen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send everyone waiting away</source>
        <translation>Alle Wartenden wegschicken</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unlock lesson</source>
        <translation>Stunde entsperren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let new pupils join with the link again</source>
        <translation>Neue Schülerinnen und Schüler wieder mit dem Link beitreten lassen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Lock lesson</source>
        <translation>Stunde sperren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nobody new can join with the pupil link until you unlock</source>
        <translation>Bis du entsperrst, kann niemand Neues mit dem Schüler-Link beitreten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All cameras off</source>
        <translation>Alle Kameras aus</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Turn every pupil&apos;s camera off</source>
        <translation>Die Kameras aller Schülerinnen und Schüler ausschalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lower all hands</source>
        <translation>Alle Hände senken</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start recording</source>
        <translation>Aufzeichnung starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Announce and start recording your camera and microphone</source>
        <translation>Aufzeichnung deiner Kamera und deines Mikrofons ankündigen und starten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop recording</source>
        <translation>Aufzeichnung beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End lesson for everyone</source>
        <translation>Stunde für alle beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End the lesson for everyone? All pupils will leave.</source>
        <translation>Die Stunde für alle beenden? Alle Schülerinnen und Schüler verlassen sie.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End now</source>
        <translation>Jetzt beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Teacher controls</source>
        <translation>Steuerung für Lehrkräfte</translation>
    </message>
    <message>
        <location filename="../../ui/video_tile.py" line="-140"/>
        <source>Volume of {name}</source>
        <translation>Lautstärke von {name}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Muted for me</source>
        <translation>Für mich stumm</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>your connection is good</source>
        <translation>deine Verbindung ist gut</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>your connection is weak</source>
        <translation>deine Verbindung ist schwach</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>your connection is bad</source>
        <translation>deine Verbindung ist schlecht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connection good</source>
        <translation>Verbindung gut</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>connection weak</source>
        <translation>Verbindung schwach</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connection bad</source>
        <translation>Verbindung schlecht</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{percent} % loss</source>
        <translation>{percent} % Verlust</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{ms} ms</source>
        <translation>{ms} ms</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{fps} fps</source>
        <translation>{fps} fps</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} (you)</source>
        <translation>{name} (du)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} · teacher</source>
        <translation>{name} · Lehrkraft</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>microphone on</source>
        <translation>Mikrofon an</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>microphone off</source>
        <translation>Mikrofon aus</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>speaking</source>
        <translation>spricht</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>volume {percent} %</source>
        <translation>Lautstärke {percent} %</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Cam on</source>
        <translation>Kamera an</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mic on</source>
        <translation>Mikro an</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Cam off</source>
        <translation>Kamera aus</translation>
    </message>
    <message>
        <location filename="../../ui/teacher_panel.py" line="-180"/>
        <location filename="../../ui/video_tile.py" line="+18"/>
        <source>Hand raised</source>
        <translation>Hand gehoben</translation>
    </message>
    <message>
        <location filename="../../ui/waiting.py" line="-9"/>
        <source>Connecting to your school&apos;s server…</source>
        <translation>Verbindung zum Server deiner Schule…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your teacher will let you in.</source>
        <translation>Deine Lehrkraft lässt dich gleich herein.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You are in the waiting room of “{room}”. Nobody in the lesson can see or hear you yet.</source>
        <translation>Du bist im Warteraum von „{room}“. Noch kann dich niemand in der Stunde sehen oder hören.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You are in the waiting room. Nobody in the lesson can see or hear you yet.</source>
        <translation>Du bist im Warteraum. Noch kann dich niemand in der Stunde sehen oder hören.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Leave the waiting room</source>
        <translation>Den Warteraum verlassen</translation>
    </message>
    <message>
        <location filename="../../ui/account_box.py" line="+112"/>
        <source>Lesson link: {link}
PIN: {pin}</source>
        <translation>Link zur Stunde: {link}
PIN: {pin}</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Or sign in with your school account</source>
        <translation>Oder melde dich mit deinem Schulkonto an</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signing in needs your school&apos;s server address, which school IT sets on this computer. You can still join with a link.</source>
        <translation>Zum Anmelden braucht es die Serveradresse deiner Schule, die die Schul-IT auf diesem Computer einstellt. Mit einem Link kannst du trotzdem teilnehmen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Server: {server}</source>
        <translation>Server: {server}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signed in as {user} (teacher). Create a lesson, then give your pupils its link and PIN.</source>
        <translation>Angemeldet als {user} (Lehrkraft). Lege eine Stunde an und gib deinen Schülerinnen und Schülern Link und PIN.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Signed in as {user}. Open your lesson&apos;s link above; you need no PIN.</source>
        <translation>Angemeldet als {user}. Öffne oben den Link zu deiner Stunde; du brauchst keine PIN.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Pupil link: {link}
PIN: {pin}</source>
        <translation>Link für Schülerinnen und Schüler: {link}
PIN: {pin}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;User name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pass&amp;word:</source>
        <translation>Pass&amp;wort:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lesson &amp;title:</source>
        <translation>&amp;Titel der Stunde:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lesson title</source>
        <translation>Titel der Stunde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sign in</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create a lesson</source>
        <translation>Stunde anlegen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My recordings</source>
        <translation>Meine Aufnahmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>List and delete your recordings on the school&apos;s server</source>
        <translation>Deine Aufnahmen auf dem Server der Schule ansehen und löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy for pupils</source>
        <translation>Für die Klasse kopieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Copy the pupil link and PIN</source>
        <translation>Link und PIN für die Klasse kopieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start the lesson</source>
        <translation>Stunde beginnen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Join your new lesson as its teacher</source>
        <translation>Deiner neuen Stunde als Lehrkraft beitreten</translation>
    </message>
    <message>
        <location filename="../../ui/recordings_dialog.py" line="-10"/>
        <source>Only teachers have recordings.</source>
        <translation>Nur Lehrkräfte haben Aufnahmen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>That recording no longer exists: it has expired or was deleted.</source>
        <translation>Diese Aufnahme gibt es nicht mehr: Sie ist abgelaufen oder wurde gelöscht.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>That recording is still being written or converted. You can delete it once it is ready.</source>
        <translation>Diese Aufnahme wird noch geschrieben oder umgewandelt. Du kannst sie löschen, sobald sie fertig ist.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Loading your recordings…</source>
        <translation>Deine Aufnahmen werden geladen …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You have no recordings on the school&apos;s server.</source>
        <translation>Du hast keine Aufnahmen auf dem Server der Schule.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The school&apos;s server deletes each recording automatically on the date shown.</source>
        <translation>Der Server der Schule löscht jede Aufnahme automatisch am angegebenen Datum.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>being recorded</source>
        <translation>wird aufgenommen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>being converted</source>
        <translation>wird umgewandelt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ready</source>
        <translation>fertig</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{state}, interrupted</source>
        <translation>{state}, unterbrochen</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Delete the recording of {when} ({what}) for good? This cannot be undone.</source>
        <translation>Die Aufnahme vom {when} ({what}) endgültig löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>My recordings — Klasse</source>
        <translation>Meine Aufnahmen — Klasse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recordings of your lessons on the school&apos;s server. Only you see them here.</source>
        <translation>Aufnahmen deiner Stunden auf dem Server der Schule. Nur du siehst sie hier.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recorded on</source>
        <translation>Aufgenommen am</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Length</source>
        <translation>Länge</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What was recorded</source>
        <translation>Was aufgenommen wurde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Stand</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Deleted automatically on</source>
        <translation>Automatisch gelöscht am</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your recordings</source>
        <translation>Deine Aufnahmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ask the school&apos;s server again</source>
        <translation>Den Server der Schule erneut fragen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen …</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete the selected recording</source>
        <translation>Die ausgewählte Aufnahme löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete for good</source>
        <translation>Endgültig löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep it</source>
        <translation>Behalten</translation>
    </message>
    <message>
        <location filename="../../ui/screen_share.py" line="+100"/>
        <source>Share your screen</source>
        <translation>Bildschirm teilen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose what everyone in the lesson will see. The pictures below are live: this is exactly what will be shared.</source>
        <translation>Wählen Sie, was alle in der Stunde sehen werden. Die Bilder unten sind live: genau das wird geteilt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Share</source>
        <translation>Teilen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Whole screen {n}</source>
        <translation>Ganzer Bildschirm {n}</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>You are sharing {what}: everyone in the lesson sees it.</source>
        <translation>Sie teilen {what}: alle in der Stunde sehen es.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>your screen</source>
        <translation>Ihren Bildschirm</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="-83"/>
        <source>your whole screen</source>
        <translation>Ihren ganzen Bildschirm</translation>
    </message>
    <message>
        <location filename="../../ui/screen_share.py" line="+1"/>
        <source>Stop sharing ({key})</source>
        <translation>Teilen beenden ({key})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop sharing your screen now</source>
        <translation>Das Teilen des Bildschirms jetzt beenden</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>{name} is sharing their screen</source>
        <translation>{name} teilt den Bildschirm</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exit full screen (Esc)</source>
        <translation>Vollbild verlassen (Esc)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Full screen</source>
        <translation>Vollbild</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the shared screen on the whole display</source>
        <translation>Den geteilten Bildschirm auf dem ganzen Monitor zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shared screen</source>
        <translation>Geteilter Bildschirm</translation>
    </message>
    <message>
        <location filename="../../ui/lesson.py" line="-12"/>
        <source>Stop sharing</source>
        <translation>Teilen beenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Share screen</source>
        <translation>Bildschirm teilen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share your screen or a window, or stop sharing ({key})</source>
        <translation>Bildschirm oder ein Fenster teilen oder das Teilen beenden ({key})</translation>
    </message>
    <message>
        <location filename="../../ui/teacher_panel.py" line="+9"/>
        <source>sharing the screen</source>
        <translation>teilt den Bildschirm</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Take back {name}&apos;s permission to share the screen</source>
        <translation>{name} das Teilen des Bildschirms wieder verbieten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let {name} share their screen (for a presentation)</source>
        <translation>{name} den Bildschirm teilen lassen (für eine Präsentation)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>May share screen</source>
        <translation>Darf Bildschirm teilen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let share screen</source>
        <translation>Teilen erlauben</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="+12"/>
        <source>Replace the current share?</source>
        <translation>Das laufende Teilen ersetzen?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Someone else is sharing their screen. Show yours instead?</source>
        <translation>Jemand anderes teilt gerade den Bildschirm. Stattdessen Ihren zeigen?</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Your screen cannot be shared: {message}</source>
        <translation>Ihr Bildschirm kann nicht geteilt werden: {message}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sharing stopped: the shared window was closed.</source>
        <translation>Teilen beendet: das geteilte Fenster wurde geschlossen.</translation>
    </message>
</context>
</TS>
