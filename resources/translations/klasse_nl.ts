<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl">
<context>
    <name></name>
    <message>
        <location filename="../../ui/chat.py" line="+42"/>
        <source>Send</source>
        <translation>Versturen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send the message to everyone (Enter)</source>
        <translation>Het bericht naar iedereen sturen (Enter)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write to everyone…</source>
        <translation>Schrijf aan iedereen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat message</source>
        <translation>Chatbericht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat messages</source>
        <translation>Chatberichten</translation>
    </message>
    <message>
        <location filename="../../ui/gallery.py" line="+77"/>
        <source>Participants&apos; video</source>
        <translation>Video van de deelnemers</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous page</source>
        <translation>Vorige pagina</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next page</source>
        <translation>Volgende pagina</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Page {n} of {total}</source>
        <translation>Pagina {n} van {total}</translation>
    </message>
    <message>
        <location filename="../../ui/left_page.py" line="+56"/>
        <source>The teacher ended the lesson.</source>
        <translation>De docent heeft de les beëindigd.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The teacher removed you from the lesson.</source>
        <translation>De docent heeft je uit de les verwijderd.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The teacher did not let you in.</source>
        <translation>De docent heeft je niet binnengelaten.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The lesson link has expired.</source>
        <translation>De link naar de les is verlopen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The school&apos;s server closed the lesson.</source>
        <translation>De server van school heeft de les gesloten.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You are in this lesson on another connection now.</source>
        <translation>Je bent nu via een andere verbinding in deze les.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You left the lesson.</source>
        <translation>Je hebt de les verlaten.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You did not join. Nothing was sent to the school&apos;s server.</source>
        <translation>Je hebt niet deelgenomen. Er is niets naar de server van school gestuurd.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The call has ended.</source>
        <translation>Het gesprek is afgelopen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>✔ The call&apos;s data on this computer has been deleted.</source>
        <translation>✔ De gegevens van het gesprek op deze computer zijn gewist.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Some of the call&apos;s data could not be deleted from this computer ({count} files left). Please tell your school&apos;s IT.</source>
        <translation>Sommige gegevens van het gesprek konden niet van deze computer worden gewist ({count} bestanden over). Meld dit bij de ICT van je school.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Join another lesson</source>
        <translation>Naar een andere les</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Afsluiten</translation>
    </message>
    <message>
        <location filename="../../ui/lesson.py" line="+171"/>
        <source>Camera locked</source>
        <translation>Camera vergrendeld</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Your teacher turned your camera off and locked it</source>
        <translation>Je docent heeft je camera uitgezet en vergrendeld</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+2"/>
        <location filename="../../ui/prejoin.py" line="+230"/>
        <location filename="../../ui/teacher_panel.py" line="+120"/>
        <source>Camera off</source>
        <translation>Camera uit</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>You chose to take part with sound only</source>
        <translation>Je doet alleen met geluid mee</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/prejoin.py" line="+0"/>
        <source>Camera on</source>
        <translation>Camera aan</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/prejoin.py" line="+2"/>
        <source>Turn the camera on or off ({key})</source>
        <translation>Camera aan- of uitzetten ({key})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Microphone locked</source>
        <translation>Microfoon vergrendeld</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Your teacher turned your microphone off and locked it</source>
        <translation>Je docent heeft je microfoon uitgezet en vergrendeld</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../../ui/prejoin.py" line="-1"/>
        <source>Microphone on</source>
        <translation>Microfoon aan</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/prejoin.py" line="+0"/>
        <source>Microphone off</source>
        <translation>Microfoon uit</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/prejoin.py" line="+3"/>
        <source>Turn the microphone on or off ({key})</source>
        <translation>Microfoon aan- of uitzetten ({key})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Lower hand</source>
        <translation>Hand laten zakken</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Raise hand</source>
        <translation>Hand opsteken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raise or lower your hand ({key})</source>
        <translation>Hand opsteken of laten zakken ({key})</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../ui/privacy_notice.py" line="+76"/>
        <location filename="../../ui/waiting.py" line="+57"/>
        <source>Leave</source>
        <translation>Verlaten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leave the lesson ({key})</source>
        <translation>De les verlaten ({key})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Class ({count} waiting)</source>
        <translation>Klas ({count} wachtend)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Class</source>
        <translation>Klas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat and class</source>
        <translation>Chat en klas</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="+97"/>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hide this message</source>
        <translation>Dit bericht verbergen</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>Do you agree to be recorded? Until you agree, your camera and microphone stay off.</source>
        <translation>Ga je akkoord dat je wordt opgenomen? Tot je akkoord gaat, blijven je camera en microfoon uit.</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Wrong user name or password.</source>
        <translation>Gebruikersnaam of wachtwoord klopt niet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+313"/>
        <source>The school&apos;s server is busy. Please try again in a moment.</source>
        <translation>De server van school is druk bezet. Probeer het zo nog eens.</translation>
    </message>
    <message>
        <location line="-312"/>
        <location filename="../../ui/recordings_dialog.py" line="+164"/>
        <source>Please sign in again.</source>
        <translation>Log opnieuw in.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only teachers can create lessons.</source>
        <translation>Alleen docenten kunnen lessen aanmaken.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+306"/>
        <location filename="../../ui/recordings_dialog.py" line="+6"/>
        <source>The school&apos;s server cannot be reached.</source>
        <translation>De server van school is niet bereikbaar.</translation>
    </message>
    <message>
        <location line="-145"/>
        <source>Your internet connection is weak: the others see and hear you with interruptions.</source>
        <translation>Je internetverbinding is zwak: de anderen zien en horen je met onderbrekingen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your internet connection is weak: the others&apos; video and sound reach you with interruptions.</source>
        <translation>Je internetverbinding is zwak: beeld en geluid van de anderen komen met onderbrekingen bij je aan.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Your internet connection is weak: your video is sent at lower quality.</source>
        <translation>Je internetverbinding is zwak: je video wordt in lagere kwaliteit verstuurd.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your internet connection is too weak for video: the others still hear you; your picture comes back when the connection allows it.</source>
        <translation>Je internetverbinding is te zwak voor video: de anderen horen je nog; je beeld komt terug zodra de verbinding het toelaat.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Media reconnecting: the school&apos;s media server restarted. The lesson goes on.</source>
        <translation>Media worden opnieuw verbonden: de mediaserver van de school is opnieuw gestart. De les gaat door.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The connection to the school&apos;s server was lost. Reconnecting…</source>
        <translation>De verbinding met de server van school is verbroken. Opnieuw verbinden…</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>The school&apos;s server turned your camera off: a recording is on that needs your consent.</source>
        <translation>De server van de school heeft je camera uitgezet: er loopt een opname waarvoor jouw toestemming nodig is.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The school&apos;s server turned your microphone off: a recording is on that needs your consent.</source>
        <translation>De server van de school heeft je microfoon uitgezet: er loopt een opname waarvoor jouw toestemming nodig is.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your teacher turned your camera off.</source>
        <translation>Je docent heeft je camera uitgezet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your teacher turned your microphone off.</source>
        <translation>Je docent heeft je microfoon uitgezet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It stays off until your teacher unlocks it.</source>
        <translation>Dat blijft zo tot je docent het weer vrijgeeft.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher unlocked your camera. You can turn it on again if you want to.</source>
        <translation>Je docent heeft je camera vrijgegeven. Je kunt hem weer aanzetten als je wilt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher unlocked your microphone. You can turn it on again if you want to.</source>
        <translation>Je docent heeft je microfoon vrijgegeven. Je kunt hem weer aanzetten als je wilt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your teacher asks you to turn your camera on. You decide.</source>
        <translation>Je docent vraagt je je camera aan te zetten. Jij beslist.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your teacher asks you to turn your microphone on. You decide.</source>
        <translation>Je docent vraagt je je microfoon aan te zetten. Jij beslist.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher lowered your hand.</source>
        <translation>Je docent heeft je hand laten zakken.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The PIN is not right. Please check it and try again.</source>
        <translation>De pincode klopt niet. Controleer hem en probeer het opnieuw.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This lesson link has expired. Ask your teacher for a new one.</source>
        <translation>Deze link is verlopen. Vraag je docent om een nieuwe.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This lesson link does not work on this server.</source>
        <translation>Deze link werkt niet op deze server.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This lesson has already ended.</source>
        <translation>Deze les is al afgelopen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your teacher has locked this off.</source>
        <translation>Je docent heeft dit vergrendeld.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the teacher can do that.</source>
        <translation>Alleen de docent kan dat.</translation>
    </message>
    <message>
        <location line="-312"/>
        <location line="+313"/>
        <source>Too many tries. Please wait a minute.</source>
        <translation>Te veel pogingen. Wacht even een minuut.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Camera or microphone could not be connected.</source>
        <translation>Camera of microfoon kon niet worden verbonden.</translation>
    </message>
    <message>
        <location line="-312"/>
        <location line="+335"/>
        <location filename="../../ui/recordings_dialog.py" line="+5"/>
        <source>Something went wrong: {message}</source>
        <translation>Er ging iets mis: {message}</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>This lesson is full.</source>
        <translation>Deze les is vol.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The teacher has locked this lesson: nobody new can join.</source>
        <translation>De docent heeft de les vergrendeld: er kan niemand meer bij.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Background blur is not available on this computer, so your whole picture is blurred instead.</source>
        <translation>Achtergrondvervaging is op deze computer niet beschikbaar, daarom wordt je hele beeld vervaagd.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The camera or microphone could not be opened. Check that it is connected and not used by another program.</source>
        <translation>De camera of microfoon kon niet worden geopend. Controleer of hij is aangesloten en niet door een ander programma wordt gebruikt.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The sound cannot be played on the chosen speaker. Check that it is connected, or choose another output.</source>
        <translation>Het geluid kan niet via de gekozen luidspreker worden afgespeeld. Controleer of die is aangesloten, of kies een andere uitvoer.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The speaker was disconnected. The sound now plays on the computer&apos;s default output.</source>
        <translation>De luidspreker is losgekoppeld. Het geluid komt nu uit de standaarduitvoer van de computer.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The school&apos;s server refused to record: {message}</source>
        <translation>De server van de school heeft de opname geweigerd: {message}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A recording is on: your camera and microphone stay off unless you agree to be recorded.</source>
        <translation>Er loopt een opname: je camera en microfoon blijven uit, tenzij je akkoord gaat met de opname.</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Klasse</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <location filename="../../ui/prejoin.py" line="-37"/>
        <source>Get ready</source>
        <translation>Maak je klaar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your camera and microphone stay off until you turn them on. The preview shows exactly what others will see: your background is blurred on this computer before anything is sent.</source>
        <translation>Je camera en microfoon blijven uit tot je ze aanzet. De voorvertoning toont precies wat anderen zien: je achtergrond wordt op deze computer vervaagd voordat er iets wordt verstuurd.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Lesson on {server}</source>
        <translation>Les op {server}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your &amp;name:</source>
        <translation>Je &amp;naam:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your name</source>
        <translation>Je naam</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First name and initial, as your teacher knows you</source>
        <translation>Voornaam en initiaal, zoals je docent je kent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;PIN (if you got one):</source>
        <translation>&amp;Pincode (als je er een hebt):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PIN</source>
        <translation>Pincode</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Camera:</source>
        <translation>&amp;Camera:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera device</source>
        <translation>Camera-apparaat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Microphone:</source>
        <translation>&amp;Microfoon:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Microphone device</source>
        <translation>Microfoonapparaat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Background:</source>
        <translation>Ac&amp;htergrond:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Background</source>
        <translation>Achtergrond</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test picture (no camera)</source>
        <translation>Testbeeld (geen camera)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test tone (no microphone)</source>
        <translation>Testtoon (geen microfoon)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No sound (levels only)</source>
        <translation>Geen geluid (alleen niveaus)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Speaker:</source>
        <translation>&amp;Luidspreker:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speaker device</source>
        <translation>Luidspreker</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Microphone level:</source>
        <translation>Microfoonniveau:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Microphone level</source>
        <translation>Microfoonniveau</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play &amp;test sound</source>
        <translation>&amp;Testgeluid afspelen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Blur my background</source>
        <translation>Mijn achtergrond vervagen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Replace my background with a picture</source>
        <translation>Achtergrond vervangen door een afbeelding</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hide everything but me</source>
        <translation>Alles behalve mij verbergen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show my background</source>
        <translation>Mijn achtergrond tonen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Join lesson</source>
        <translation>&amp;Meedoen met de les</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back</source>
        <translation>Terug</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>System default</source>
        <translation>Systeemstandaard</translation>
    </message>
    <message>
        <location filename="../../ui/privacy_notice.py" line="-6"/>
        <source>Notice version {version}</source>
        <translation>Versie van de uitleg {version}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Privacy notice</source>
        <translation>Privacyverklaring</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I have read this, continue</source>
        <translation>Gelezen, verder</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue with camera off</source>
        <translation>Verder met camera uit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Object to being seen: take part with sound only</source>
        <translation>Bezwaar tegen beeld: alleen met geluid meedoen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not join; talk to your teacher instead</source>
        <translation>Niet meedoen; praat liever met je docent</translation>
    </message>
    <message>
        <location filename="../../ui/recording_banner.py" line="+28"/>
        <source>camera</source>
        <translation>camera</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>microphone</source>
        <translation>microfoon</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>screen</source>
        <translation>scherm</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the teacher&apos;s {devices}</source>
        <translation>de {devices} van de docent</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>nothing yet</source>
        <translation>nog niets</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{first} and {last}</source>
        <translation>{first} en {last}</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>● Recording state unknown: the connection to the school&apos;s server was lost. Assume the recording ({what}) may still be running.</source>
        <translation>● Opname onbekend: de verbinding met de server van school is verbroken. De opname ({what}) loopt misschien nog.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>● Recording starts in {seconds} s: {what}. You can turn your camera and microphone off now.</source>
        <translation>● De opname begint over {seconds} s: {what}. Je kunt nu je camera en microfoon uitzetten.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>● Recording will start soon: {what}. You can turn your camera and microphone off now.</source>
        <translation>● De opname begint zo: {what}. Je kunt nu je camera en microfoon uitzetten.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>● REC: this lesson is being recorded: {what}.</source>
        <translation>● REC: deze les wordt opgenomen: {what}.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>You agreed to be recorded.</source>
        <translation>Je bent akkoord gegaan met de opname.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You are not recorded: your camera and microphone stay off until the recording ends.</source>
        <translation>Je wordt niet opgenomen: je camera en microfoon blijven uit tot de opname eindigt.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recording indicator</source>
        <translation>Opname-indicator</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I agree to be recorded</source>
        <translation>Ik ga akkoord met de opname</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep me out of the recording</source>
        <translation>Mij niet opnemen</translation>
    </message>
    <message>
        <location filename="../../ui/start.py" line="+92"/>
        <source>This is not a lesson link: {reason}</source>
        <translation>Dit is geen link naar een les: {reason}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Join a lesson</source>
        <translation>Meedoen met een les</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the lesson link your teacher sent you, or paste it here.</source>
        <translation>Open de link die je docent je stuurde, of plak hem hier.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lesson link</source>
        <translation>Link naar de les</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Paste</source>
        <translation>&amp;Plakken</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Paste the link from the clipboard</source>
        <translation>De link van het klembord plakken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open</source>
        <translation>&amp;Openen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open the lesson link</source>
        <translation>De link naar de les openen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language:</source>
        <translation>&amp;Taal:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Taal</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System language</source>
        <translation>Systeemtaal</translation>
    </message>
    <message>
        <location filename="../../ui/teacher_panel.py" line="-78"/>
        <source>Admit</source>
        <translation>Toelaten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Let {name} into the lesson</source>
        <translation>{name} in de les toelaten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Admit {name}</source>
        <translation>{name} toelaten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deny</source>
        <translation>Weigeren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Do not let {name} in</source>
        <translation>{name} niet toelaten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deny {name}</source>
        <translation>{name} weigeren</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>mic on</source>
        <translation>micro aan</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>mic off</source>
        <translation>micro uit</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/video_tile.py" line="+156"/>
        <source>camera on</source>
        <translation>camera aan</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/video_tile.py" line="+0"/>
        <source>camera off</source>
        <translation>camera uit</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>locked</source>
        <translation>vergrendeld</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/video_tile.py" line="+2"/>
        <source>hand raised</source>
        <translation>hand opgestoken</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+1"/>
        <source>Turn {name}&apos;s camera off</source>
        <translation>Camera van {name} uitzetten</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/video_tile.py" line="+53"/>
        <source>Mic off</source>
        <translation>Micro uit</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>Turn {name}&apos;s microphone off</source>
        <translation>Microfoon van {name} uitzetten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock</source>
        <translation>Vrijgeven</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lock</source>
        <translation>Vergrendelen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let {name} turn camera and microphone on again</source>
        <translation>{name} mag camera en microfoon weer aanzetten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Turn {name}&apos;s camera and microphone off and keep them off</source>
        <translation>Camera en microfoon van {name} uitzetten en uit laten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remove</source>
        <translation>Verwijderen</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+6"/>
        <source>Remove {name} from the lesson</source>
        <translation>{name} uit de les verwijderen</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>Waiting room ({count})</source>
        <translation>Wachtkamer ({count})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pupils in the lesson ({count})</source>
        <translation>Leerlingen in de les ({count})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Admit all</source>
        <translation>Iedereen toelaten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Let everyone waiting into the lesson</source>
        <translation>Iedereen die wacht in de les toelaten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Deny all</source>
        <translation>Iedereen weigeren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send everyone waiting away</source>
        <translation>Iedereen die wacht wegsturen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unlock lesson</source>
        <translation>Les ontgrendelen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let new pupils join with the link again</source>
        <translation>Nieuwe leerlingen weer met de link laten meedoen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Lock lesson</source>
        <translation>Les vergrendelen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nobody new can join with the pupil link until you unlock</source>
        <translation>Tot je ontgrendelt, kan niemand nieuw met de leerlingenlink meedoen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All cameras off</source>
        <translation>Alle camera&apos;s uit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Turn every pupil&apos;s camera off</source>
        <translation>De camera van elke leerling uitzetten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lower all hands</source>
        <translation>Alle handen laten zakken</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start recording</source>
        <translation>Opname starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Announce and start recording your camera and microphone</source>
        <translation>Opname van je camera en microfoon aankondigen en starten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop recording</source>
        <translation>Opname stoppen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End lesson for everyone</source>
        <translation>Les voor iedereen beëindigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End the lesson for everyone? All pupils will leave.</source>
        <translation>De les voor iedereen beëindigen? Alle leerlingen gaan eruit.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End now</source>
        <translation>Nu beëindigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Teacher controls</source>
        <translation>Bediening voor docenten</translation>
    </message>
    <message>
        <location filename="../../ui/video_tile.py" line="-140"/>
        <source>Volume of {name}</source>
        <translation>Volume van {name}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Muted for me</source>
        <translation>Voor mij gedempt</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>your connection is good</source>
        <translation>je verbinding is goed</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>your connection is weak</source>
        <translation>je verbinding is zwak</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>your connection is bad</source>
        <translation>je verbinding is slecht</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connection good</source>
        <translation>verbinding goed</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>connection weak</source>
        <translation>verbinding zwak</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>connection bad</source>
        <translation>verbinding slecht</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{percent} % loss</source>
        <translation>{percent} % verlies</translation>
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
        <translation>{name} (jij)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} · teacher</source>
        <translation>{name} · docent</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>microphone on</source>
        <translation>microfoon aan</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>microphone off</source>
        <translation>microfoon uit</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>speaking</source>
        <translation>spreekt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>volume {percent} %</source>
        <translation>volume {percent} %</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Cam on</source>
        <translation>Camera aan</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mic on</source>
        <translation>Micro aan</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Cam off</source>
        <translation>Camera uit</translation>
    </message>
    <message>
        <location filename="../../ui/teacher_panel.py" line="-180"/>
        <location filename="../../ui/video_tile.py" line="+18"/>
        <source>Hand raised</source>
        <translation>Hand opgestoken</translation>
    </message>
    <message>
        <location filename="../../ui/waiting.py" line="-9"/>
        <source>Connecting to your school&apos;s server…</source>
        <translation>Verbinden met de server van je school…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your teacher will let you in.</source>
        <translation>Je docent laat je zo binnen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You are in the waiting room of “{room}”. Nobody in the lesson can see or hear you yet.</source>
        <translation>Je zit in de wachtkamer van ‘{room}’. Nog niemand in de les kan je zien of horen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You are in the waiting room. Nobody in the lesson can see or hear you yet.</source>
        <translation>Je zit in de wachtkamer. Nog niemand in de les kan je zien of horen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Leave the waiting room</source>
        <translation>De wachtkamer verlaten</translation>
    </message>
    <message>
        <location filename="../../ui/account_box.py" line="+112"/>
        <source>Lesson link: {link}
PIN: {pin}</source>
        <translation>Link naar de les: {link}
Pincode: {pin}</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Or sign in with your school account</source>
        <translation>Of log in met je schoolaccount</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signing in needs your school&apos;s server address, which school IT sets on this computer. You can still join with a link.</source>
        <translation>Om in te loggen is het serveradres van je school nodig, dat de ICT van school op deze computer instelt. Met een link kun je toch meedoen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Server: {server}</source>
        <translation>Server: {server}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signed in as {user} (teacher). Create a lesson, then give your pupils its link and PIN.</source>
        <translation>Ingelogd als {user} (docent). Maak een les aan en geef je leerlingen de link en pincode.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Signed in as {user}. Open your lesson&apos;s link above; you need no PIN.</source>
        <translation>Ingelogd als {user}. Open hierboven de link naar je les; je hebt geen pincode nodig.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Pupil link: {link}
PIN: {pin}</source>
        <translation>Link voor leerlingen: {link}
Pincode: {pin}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;User name:</source>
        <translation>&amp;Gebruikersnaam:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name</source>
        <translation>Gebruikersnaam</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pass&amp;word:</source>
        <translation>&amp;Wachtwoord:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>Wachtwoord</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lesson &amp;title:</source>
        <translation>&amp;Titel van de les:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lesson title</source>
        <translation>Titel van de les</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sign in</source>
        <translation>&amp;Inloggen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out</source>
        <translation>Uitloggen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create a lesson</source>
        <translation>Les aanmaken</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My recordings</source>
        <translation>Mijn opnames</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>List and delete your recordings on the school&apos;s server</source>
        <translation>Je opnames op de server van de school bekijken en verwijderen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy for pupils</source>
        <translation>Kopiëren voor leerlingen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Copy the pupil link and PIN</source>
        <translation>Link en pincode voor leerlingen kopiëren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start the lesson</source>
        <translation>Les beginnen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Join your new lesson as its teacher</source>
        <translation>Als docent aan je nieuwe les beginnen</translation>
    </message>
    <message>
        <location filename="../../ui/recordings_dialog.py" line="-10"/>
        <source>Only teachers have recordings.</source>
        <translation>Alleen docenten hebben opnames.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>That recording no longer exists: it has expired or was deleted.</source>
        <translation>Deze opname bestaat niet meer: ze is verlopen of verwijderd.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>That recording is still being written or converted. You can delete it once it is ready.</source>
        <translation>Deze opname wordt nog geschreven of omgezet. Je kunt haar verwijderen zodra ze klaar is.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Loading your recordings…</source>
        <translation>Je opnames worden geladen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You have no recordings on the school&apos;s server.</source>
        <translation>Je hebt geen opnames op de server van de school.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The school&apos;s server deletes each recording automatically on the date shown.</source>
        <translation>De server van de school verwijdert elke opname automatisch op de getoonde datum.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>being recorded</source>
        <translation>wordt opgenomen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>being converted</source>
        <translation>wordt omgezet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ready</source>
        <translation>klaar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>failed</source>
        <translation>mislukt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{state}, interrupted</source>
        <translation>{state}, onderbroken</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Delete the recording of {when} ({what}) for good? This cannot be undone.</source>
        <translation>De opname van {when} ({what}) definitief verwijderen? Dit kan niet ongedaan worden gemaakt.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>My recordings — Klasse</source>
        <translation>Mijn opnames — Klasse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recordings of your lessons on the school&apos;s server. Only you see them here.</source>
        <translation>Opnames van je lessen op de server van de school. Alleen jij ziet ze hier.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recorded on</source>
        <translation>Opgenomen op</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Length</source>
        <translation>Duur</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What was recorded</source>
        <translation>Wat is opgenomen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Deleted automatically on</source>
        <translation>Automatisch verwijderd op</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your recordings</source>
        <translation>Je opnames</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Vernieuwen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ask the school&apos;s server again</source>
        <translation>De server van de school opnieuw vragen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Delete…</source>
        <translation>Ver&amp;wijderen…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete the selected recording</source>
        <translation>De gekozen opname verwijderen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>Sluiten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete for good</source>
        <translation>Definitief verwijderen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep it</source>
        <translation>Bewaren</translation>
    </message>
    <message>
        <location filename="../../ui/screen_share.py" line="+100"/>
        <source>Share your screen</source>
        <translation>Scherm delen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose what everyone in the lesson will see. The pictures below are live: this is exactly what will be shared.</source>
        <translation>Kies wat iedereen in de les te zien krijgt. De beelden hieronder zijn live: precies dit wordt gedeeld.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Share</source>
        <translation>Delen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Whole screen {n}</source>
        <translation>Heel scherm {n}</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>You are sharing {what}: everyone in the lesson sees it.</source>
        <translation>Je deelt {what}: iedereen in de les ziet het.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>your screen</source>
        <translation>je scherm</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="-83"/>
        <source>your whole screen</source>
        <translation>je hele scherm</translation>
    </message>
    <message>
        <location filename="../../ui/screen_share.py" line="+1"/>
        <source>Stop sharing ({key})</source>
        <translation>Delen stoppen ({key})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop sharing your screen now</source>
        <translation>Stop nu met het delen van je scherm</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>{name} is sharing their screen</source>
        <translation>{name} deelt het scherm</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exit full screen (Esc)</source>
        <translation>Volledig scherm verlaten (Esc)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Full screen</source>
        <translation>Volledig scherm</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the shared screen on the whole display</source>
        <translation>Het gedeelde scherm op het hele beeldscherm tonen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shared screen</source>
        <translation>Gedeeld scherm</translation>
    </message>
    <message>
        <location filename="../../ui/lesson.py" line="-12"/>
        <source>Stop sharing</source>
        <translation>Delen stoppen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Share screen</source>
        <translation>Scherm delen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share your screen or a window, or stop sharing ({key})</source>
        <translation>Je scherm of een venster delen, of stoppen met delen ({key})</translation>
    </message>
    <message>
        <location filename="../../ui/teacher_panel.py" line="+9"/>
        <source>sharing the screen</source>
        <translation>deelt het scherm</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Take back {name}&apos;s permission to share the screen</source>
        <translation>{name} het delen van het scherm weer ontnemen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let {name} share their screen (for a presentation)</source>
        <translation>{name} het scherm laten delen (voor een presentatie)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>May share screen</source>
        <translation>Mag scherm delen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let share screen</source>
        <translation>Delen toestaan</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="+12"/>
        <source>Replace the current share?</source>
        <translation>Het huidige delen vervangen?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Someone else is sharing their screen. Show yours instead?</source>
        <translation>Iemand anders deelt zijn scherm. In plaats daarvan het jouwe tonen?</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Your screen cannot be shared: {message}</source>
        <translation>Je scherm kan niet worden gedeeld: {message}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sharing stopped: the shared window was closed.</source>
        <translation>Delen gestopt: het gedeelde venster is gesloten.</translation>
    </message>
</context>
</TS>
