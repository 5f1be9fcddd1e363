// Interface strings in Polish (the default), English and Ukrainian, and the
// language switcher. The choice is kept in localStorage; which language a page
// starts in is decided in language.js.
//
// Static markup is translated through attributes:
//   data-i18n="key"                      -> element.textContent
//   data-i18n-attr="aria-label:key;..."  -> attributes
//   data-i18n-params='{"name":"…"}'      -> values for {name} placeholders
// Text typed by users (names, messages) is never put in these strings' place
// as markup: everything is written with textContent.

import { DEFAULT_LANGUAGE, LANGUAGES, initialLanguage } from './language.js';

const STRINGS = {
  pl: {
    'skip.main': 'Przejdź do treści głównej',
    'brand.tagline': 'Miejskie Centrum Kontaktu',
    'lang.label': 'Język',
    'boot.loading': 'Wczytywanie…',
    'footer.text': 'Centrala — system obsługi mieszkańców urzędu miasta',

    'login.pageTitle': 'Logowanie — Centrala',
    'login.title': 'Logowanie pracowników',
    'login.intro': 'Zaloguj się kontem służbowym, aby obsługiwać sprawy mieszkańców.',
    'login.username': 'Nazwa użytkownika',
    'login.password': 'Hasło',
    'login.showPassword': 'Pokaż hasło',
    'login.submit': 'Zaloguj się',
    'login.help': 'Problem z logowaniem? Skontaktuj się z administratorem systemu.',
    'login.signingIn': 'Logowanie…',
    'login.loggedOut': 'Wylogowano.',
    'login.loggedOutElsewhere': 'Wylogowano w innej karcie przeglądarki.',
    'login.sessionExpired': 'Sesja wygasła. Zaloguj się ponownie.',
    'login.reauth': 'Ze względów bezpieczeństwa zaloguj się ponownie w tej karcie.',

    'error.missingUsername': 'Podaj nazwę użytkownika.',
    'error.missingPassword': 'Podaj hasło.',
    'error.missingBoth': 'Podaj nazwę użytkownika i hasło.',
    'error.invalid_credentials': 'Nieprawidłowa nazwa użytkownika lub hasło.',
    'error.rate_limited': 'Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {wait}.',
    'error.rate_limited_later': 'Zbyt wiele nieudanych prób logowania. Spróbuj ponownie później.',
    'error.invalid_input': 'Sprawdź wpisane dane i spróbuj ponownie.',
    'error.unauthenticated': 'Sesja wygasła. Zaloguj się ponownie.',
    'error.csrf_token_invalid': 'Sesja w tej karcie jest nieaktualna. Zaloguj się ponownie.',
    'error.forbidden': 'Nie masz uprawnień do tej operacji.',
    'error.not_found': 'Nie znaleziono zasobu.',
    'error.unavailable': 'Serwer jest chwilowo niedostępny. Spróbuj ponownie za chwilę.',
    'error.network': 'Brak połączenia z serwerem. Sprawdź sieć i spróbuj ponownie.',
    'error.unknown': 'Wystąpił nieoczekiwany błąd. Spróbuj ponownie.',
    'error.logoutFailed': 'Nie udało się wylogować. {reason}',

    'session.pageTitle': 'Panel pracownika — Centrala',
    'session.title': 'Witaj, {name}',
    'session.intro': 'Zalogowano do systemu Centrala.',
    'session.details': 'Dane konta',
    'session.displayName': 'Imię i nazwisko',
    'session.username': 'Nazwa użytkownika',
    'session.role': 'Rola',
    'session.signedInAs': 'Zalogowano jako',
    'session.logout': 'Wyloguj',

    'role.agent': 'konsultant',
    'role.supervisor': 'kierownik zmiany',
    'role.admin': 'administrator',

    'console.status.heading': 'Twój status',
    'console.status.available': 'Dostępny',
    'console.status.break': 'Przerwa',
    'console.status.offline': 'Niedostępny',
    'console.status.breakReason': 'Powód przerwy',
    'console.status.now': 'Stan w systemie:',

    'console.sound': 'Dźwięk przy nowej ofercie',

    'console.connection.connecting': 'Łączenie z serwerem…',
    'console.connection.open': 'Połączono z serwerem.',
    'console.connection.lost': 'Połączenie z serwerem przerwane. Trwa ponowne łączenie…',
    'console.connection.restored': 'Połączenie z serwerem przywrócone.',

    'console.offers.heading': 'Oferty rozmów',
    'console.offers.empty': 'Brak oczekujących ofert.',
    'console.callbacks.heading': 'Oddzwonienia',
    'console.callbacks.empty': 'Brak oddzwonień do wykonania.',
    'console.callbacks.title': 'Oddzwoń: {phone}',
    'console.callbacks.window': 'Pora',
    'console.callbacks.asap': 'jak najszybciej',
    'console.callbacks.attempt': 'Próba',
    'console.callbacks.attemptOf': '{n} z {max}',
    'console.callbacks.done': 'Połączono — zakończ z tematem',
    'console.callbacks.noAnswer': 'Nie odebrano',
    'console.callbacks.closed': 'Oddzwonienie zakończone. Temat: {topic}.',
    'console.callbacks.requeued': 'Nie odebrano — oddzwonienie wraca do kolejki.',
    'console.callbacks.unreachable': 'Nie odebrano — to była ostatnia próba, oddzwonienie zamknięte.',
    'console.offers.title': 'Nowa rozmowa: {name}',
    'console.offers.titleInvite': 'Zaproszenie do rozmowy: {name}',
    'console.offers.accept': 'Przyjmij',
    'console.offers.reject': 'Odrzuć',
    'console.offers.remaining': 'Pozostało: {n} s',
    'console.offers.expired': 'Czas na przyjęcie minął.',
    'console.offers.announce': 'Nowa rozmowa do przyjęcia: {name}, kolejka {queue}. Masz {n} s. Alt+A — przyjmij, Alt+R — odrzuć.',
    'console.offers.gone': 'Ta oferta nie jest już aktualna.',
    'console.offers.rejected': 'Oferta odrzucona.',
    'console.offers.none': 'Brak oferty do przyjęcia.',
    'console.offers.waitingForPartner': 'Przyjęto. Czekamy na drugą osobę (tłumacza lub konsultanta).',
    'console.offers.revoked.timeout': 'Oferta wygasła — czas na przyjęcie minął.',
    'console.offers.revoked.rejected': 'Oferta została odrzucona.',
    'console.offers.revoked.abandoned': 'Mieszkaniec zrezygnował z rozmowy; oferta wycofana.',
    'console.offers.revoked.closed': 'Rozmowa została zamknięta; oferta wycofana.',
    'console.offers.revoked.transferred': 'Rozmowa została przekazana gdzie indziej; oferta wycofana.',
    'console.offers.revoked.agent_unavailable': 'Oferta wycofana: druga osoba jest niedostępna.',
    'console.offers.revoked.other': 'Oferta została wycofana.',

    'console.shortcuts.heading': 'Skróty klawiszowe',
    'console.shortcuts.accept': 'przyjmij ofertę',
    'console.shortcuts.reject': 'odrzuć ofertę',
    'console.shortcuts.send': 'wyślij wiadomość',
    'console.shortcuts.newline': 'nowa linia',
    'console.shortcuts.next': 'następna rozmowa',
    'console.shortcuts.previous': 'poprzednia rozmowa',
    'console.shortcuts.internal': 'notatka wewnętrzna: włącz / wyłącz',
    'console.shortcuts.canned': 'szablony odpowiedzi',
    'console.rating.ask': 'Poproś o ocenę rozmowy',
    'console.rating.asked': 'Poproszono o ocenę rozmowy z {name}.',
    'console.shortcuts.arrows': 'na kartach: przełącz rozmowę',

    'console.chats.heading': 'Rozmowy',
    'console.chats.empty': 'Brak aktywnych rozmów. Ustaw status „Dostępny”, aby otrzymywać oferty.',

    'console.contact.queue': 'Kolejka',
    'console.contact.topic': 'Temat',
    'console.contact.channel': 'Kanał',
    'console.contact.waited': 'Czeka',
    'console.contact.interpreter': 'Tłumacz PJM',
    'console.contact.interpreterNeeded': 'potrzebny',
    'console.contact.summary': 'Podsumowanie',
    'console.contact.lang': 'Język mieszkańca',
    'console.contact.number': 'Numer rozmowy',
    'console.contact.anonymous': 'Mieszkaniec nr {id}',

    'console.chat.title': 'Rozmowa: {name}',
    'console.chat.unread': '{n} nieprzeczytane',
    'console.chat.dismiss': 'Zamknij kartę',
    'console.chat.ended': 'Rozmowa została zakończona.',
    'console.chat.endedTransferred': 'Rozmowa została przekazana.',
    'console.chat.announceEnded': 'Rozmowa z {name} została zakończona.',
    'console.chat.announceTransferred': 'Rozmowa z {name} została przekazana.',
    'console.chat.endedByResident': 'Mieszkaniec zakończył rozmowę. Wybierz temat sprawy i zamknij rozmowę.',
    'console.chat.announceEndedByResident': 'Mieszkaniec zakończył rozmowę: {name}. Wybierz temat sprawy.',
    'console.chat.endedErased': 'Dane mieszkańca zostały usunięte na jego wniosek (RODO). Rozmowa została zakończona, a jej treść nie jest już dostępna.',
    'console.chat.announceErased': 'Rozmowa zakończona po usunięciu danych mieszkańca: {name}.',
    'console.chat.announceMessage': 'Nowa wiadomość w rozmowie: {name}.',
    'console.chat.announceAssigned': 'Nowa rozmowa: {name}.',
    'console.chat.typing': '{name} pisze…',

    'console.composer.reply': 'Odpowiedź dla mieszkańca',
    'console.composer.note': 'Notatka wewnętrzna (mieszkaniec jej nie zobaczy)',
    'console.composer.hint': 'Enter — wyślij, Shift+Enter — nowa linia.',
    'console.composer.internal': 'Notatka wewnętrzna',
    'console.composer.send': 'Wyślij',
    'console.composer.sendNote': 'Zapisz notatkę',
    'console.composer.empty': 'Wpisz treść wiadomości.',
    'console.composer.internalOn': 'Tryb notatki wewnętrznej włączony.',
    'console.composer.internalOff': 'Tryb odpowiedzi dla mieszkańca.',

    'console.transfer.open': 'Przekaż rozmowę',
    'console.transfer.queue': 'Przekaż do',
    'console.transfer.queues': 'Wydziały i kolejki',
    'console.transfer.agents': 'Konsultanci',
    'console.transfer.queueClosed': '{name} (teraz zamknięta)',
    'console.transfer.agentOption': '{name} ({state})',
    'console.transfer.none': 'Wybierz, komu przekazać rozmowę.',
    'console.transfer.note': 'Notatka dla przejmującego (wewnętrzna)',
    'console.transfer.submit': 'Przekaż',
    'console.transfer.done': 'Rozmowa {name} przekazana: {queue}.',

    'console.close.open': 'Zakończ rozmowę',
    'console.close.disposition': 'Temat sprawy',
    'console.close.note': 'Notatka (opcjonalnie)',
    'console.close.submit': 'Zakończ',
    'console.close.done': 'Rozmowa {name} zakończona. Temat: {topic}.',

    'console.message.internal': 'Notatka wewnętrzna',
    'console.message.retry': 'Wyślij ponownie',
    'console.message.pending': 'Wysyłanie…',
    'console.message.sent': 'Wysłano',
    'console.message.failed': 'Nie wysłano.',
    'console.message.notSentClosed': 'Nie wysłano — rozmowa zakończona.',

    'console.author.you': 'Ty',
    'console.author.bot': 'Wirtualny asystent',
    'console.author.system': 'System',
    'console.author.resident': 'Mieszkaniec',
    'console.author.agent': 'Konsultant',

    'console.kind.resident': '(mieszkaniec)',
    'console.kind.agent': '(konsultant)',

    'console.duration.seconds': '{n} s',
    'console.duration.minutes': '{m} min {s} s',

    'console.state.breakWithReason': 'Przerwa ({reason})',
    'console.state.since': 'od {time}',

    'state.available': 'Dostępny',
    'state.break': 'Przerwa',
    'state.offline': 'Niedostępny',
    'state.offered': 'Oferta rozmowy',
    'state.busy': 'Zajęty — w rozmowie',
    'state.wrap_up': 'Porządkowanie po rozmowie',

    'reason.coffee': 'krótka przerwa',
    'reason.meal': 'posiłek',
    'reason.training': 'szkolenie',
    'reason.meeting': 'spotkanie służbowe',
    'reason.other': 'inny powód',
    'reason.missed': 'nieodebrane oferty',

    'topic.vehicles': 'Rejestracja pojazdów',
    'topic.driving_licence': 'Prawo jazdy',
    'topic.id_documents': 'Dowód osobisty i paszport',
    'topic.civil_registry': 'Urząd stanu cywilnego',
    'topic.waste': 'Odpady komunalne',
    'topic.taxes': 'Podatki i opłaty lokalne',
    'topic.report': 'Zgłoszenie awarii lub interwencji',
    'topic.appointment': 'Umówienie wizyty',
    'topic.human': 'Rozmowa z konsultantem',
    'topic.other': 'Inna sprawa',

    'queue.vehicles': 'Rejestracja pojazdów',
    'queue.waste': 'Gospodarka odpadami',
    'queue.taxes': 'Podatki i opłaty lokalne',
    'queue.general': 'Informacja ogólna',
    'queue.dept_komunikacja': 'Wydział Komunikacji — druga linia',
    'queue.dept_odpady': 'Wydział Gospodarki Odpadami — druga linia',
    'queue.dept_podatki': 'Wydział Podatków — druga linia',
    'queue.dept_interwencje': 'Zarząd Dróg i Straż Miejska — interwencje',

    'channel.chat': 'czat',
    'channel.voice': 'telefon',
    'channel.video': 'wideo',
    'channel.callback': 'oddzwonienie',

    'residentLang.pl': 'polski',
    'residentLang.en': 'angielski',
    'residentLang.uk': 'ukraiński',

    'error.offer_not_found': 'Ta oferta nie jest już aktualna.',
    'error.contact_not_found': 'Ta rozmowa nie jest już otwarta.',
    'error.contact_not_active': 'Tę rozmowę można zakończyć dopiero po jej przyjęciu.',
    'error.queue_closed': 'Ta kolejka jest teraz nieczynna. Wybierz inną.',
    'error.queue_full': 'Ta kolejka jest pełna. Wybierz inną.',
    'error.unknown_queue': 'Nie ma takiej kolejki.',
    'error.channel_not_served': 'Ta kolejka nie obsługuje czatu.',
    'error.message_too_long': 'Wiadomość jest za długa.',
    'error.empty_message': 'Wpisz treść wiadomości.',
    'error.chat_closed': 'Rozmowa została zakończona.',
    'error.invalid_state': 'Nie można ustawić tego statusu.',
  },
  en: {
    'skip.main': 'Skip to main content',
    'brand.tagline': 'City Contact Centre',
    'lang.label': 'Language',
    'boot.loading': 'Loading…',
    'footer.text': 'Centrala — the city hall’s resident service system',

    'login.pageTitle': 'Sign in — Centrala',
    'login.title': 'Staff sign-in',
    'login.intro': 'Sign in with your work account to handle residents’ matters.',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.showPassword': 'Show password',
    'login.submit': 'Sign in',
    'login.help': 'Trouble signing in? Contact your system administrator.',
    'login.signingIn': 'Signing in…',
    'login.loggedOut': 'You have been logged out.',
    'login.loggedOutElsewhere': 'You were logged out in another browser tab.',
    'login.sessionExpired': 'Your session has expired. Please sign in again.',
    'login.reauth': 'For your security, please sign in again in this tab.',

    'error.missingUsername': 'Enter your username.',
    'error.missingPassword': 'Enter your password.',
    'error.missingBoth': 'Enter your username and password.',
    'error.invalid_credentials': 'Wrong username or password.',
    'error.rate_limited': 'Too many failed sign-in attempts. Try again in {wait}.',
    'error.rate_limited_later': 'Too many failed sign-in attempts. Try again later.',
    'error.invalid_input': 'Check what you entered and try again.',
    'error.unauthenticated': 'Your session has expired. Please sign in again.',
    'error.csrf_token_invalid': 'The session in this tab is out of date. Please sign in again.',
    'error.forbidden': 'You are not allowed to do this.',
    'error.not_found': 'Not found.',
    'error.unavailable': 'The server is temporarily unavailable. Try again in a moment.',
    'error.network': 'Cannot reach the server. Check the network and try again.',
    'error.unknown': 'Something went wrong. Please try again.',
    'error.logoutFailed': 'Could not log out. {reason}',

    'session.pageTitle': 'Staff desk — Centrala',
    'session.title': 'Welcome, {name}',
    'session.intro': 'You are signed in to Centrala.',
    'session.details': 'Account details',
    'session.displayName': 'Full name',
    'session.username': 'Username',
    'session.role': 'Role',
    'session.signedInAs': 'Signed in as',
    'session.logout': 'Log out',

    'role.agent': 'consultant',
    'role.supervisor': 'shift supervisor',
    'role.admin': 'administrator',

    'console.status.heading': 'Your status',
    'console.status.available': 'Available',
    'console.status.break': 'Break',
    'console.status.offline': 'Offline',
    'console.status.breakReason': 'Reason for the break',
    'console.status.now': 'System state:',

    'console.sound': 'Sound for a new offer',

    'console.connection.connecting': 'Connecting to the server…',
    'console.connection.open': 'Connected to the server.',
    'console.connection.lost': 'Connection to the server lost. Reconnecting…',
    'console.connection.restored': 'Connection to the server restored.',

    'console.offers.heading': 'Conversation offers',
    'console.offers.empty': 'No offers waiting.',
    'console.callbacks.heading': 'Call backs',
    'console.callbacks.empty': 'No call backs to make.',
    'console.callbacks.title': 'Call back: {phone}',
    'console.callbacks.window': 'Time',
    'console.callbacks.asap': 'as soon as possible',
    'console.callbacks.attempt': 'Attempt',
    'console.callbacks.attemptOf': '{n} of {max}',
    'console.callbacks.done': 'Connected — close with a topic',
    'console.callbacks.noAnswer': 'No answer',
    'console.callbacks.closed': 'Call back closed. Topic: {topic}.',
    'console.callbacks.requeued': 'No answer — the call back goes back in line.',
    'console.callbacks.unreachable': 'No answer — that was the last attempt, the call back is closed.',
    'console.offers.title': 'New conversation: {name}',
    'console.offers.titleInvite': 'Invitation to a conversation: {name}',
    'console.offers.accept': 'Accept',
    'console.offers.reject': 'Reject',
    'console.offers.remaining': 'Time left: {n} s',
    'console.offers.expired': 'The time to accept is over.',
    'console.offers.announce': 'New conversation to accept: {name}, queue {queue}. You have {n} s. Alt+A to accept, Alt+R to reject.',
    'console.offers.gone': 'This offer is no longer valid.',
    'console.offers.rejected': 'Offer rejected.',
    'console.offers.none': 'No offer to accept.',
    'console.offers.waitingForPartner': 'Accepted. Waiting for the second person (interpreter or consultant).',
    'console.offers.revoked.timeout': 'The offer expired — the time to accept is over.',
    'console.offers.revoked.rejected': 'The offer was rejected.',
    'console.offers.revoked.abandoned': 'The resident left; the offer was withdrawn.',
    'console.offers.revoked.closed': 'The conversation was closed; the offer was withdrawn.',
    'console.offers.revoked.transferred': 'The conversation was transferred elsewhere; the offer was withdrawn.',
    'console.offers.revoked.agent_unavailable': 'Offer withdrawn: the second person is not available.',
    'console.offers.revoked.other': 'The offer was withdrawn.',

    'console.shortcuts.heading': 'Keyboard shortcuts',
    'console.shortcuts.accept': 'accept the offer',
    'console.shortcuts.reject': 'reject the offer',
    'console.shortcuts.send': 'send the message',
    'console.shortcuts.newline': 'new line',
    'console.shortcuts.next': 'next conversation',
    'console.shortcuts.previous': 'previous conversation',
    'console.shortcuts.internal': 'internal note: on / off',
    'console.shortcuts.canned': 'canned responses',
    'console.rating.ask': 'Ask for a rating',
    'console.rating.asked': '{name} was asked to rate the conversation.',
    'console.shortcuts.arrows': 'on the tabs: switch conversations',

    'console.chats.heading': 'Conversations',
    'console.chats.empty': 'No active conversations. Set your status to “Available” to receive offers.',

    'console.contact.queue': 'Queue',
    'console.contact.topic': 'Topic',
    'console.contact.channel': 'Channel',
    'console.contact.waited': 'Waiting',
    'console.contact.interpreter': 'PJM interpreter',
    'console.contact.interpreterNeeded': 'needed',
    'console.contact.summary': 'Summary',
    'console.contact.lang': 'Resident’s language',
    'console.contact.number': 'Conversation number',
    'console.contact.anonymous': 'Resident no. {id}',

    'console.chat.title': 'Conversation: {name}',
    'console.chat.unread': '{n} unread',
    'console.chat.dismiss': 'Close the tab',
    'console.chat.ended': 'The conversation has ended.',
    'console.chat.endedTransferred': 'The conversation was transferred.',
    'console.chat.announceEnded': 'The conversation with {name} has ended.',
    'console.chat.announceTransferred': 'The conversation with {name} was transferred.',
    'console.chat.endedByResident': 'The resident ended the conversation. Choose its topic and close it.',
    'console.chat.announceEndedByResident': 'The resident ended the conversation: {name}. Choose its topic.',
    'console.chat.endedErased': 'The resident’s data was erased at their request (GDPR). The conversation has ended and its content is no longer available.',
    'console.chat.announceErased': 'Conversation ended after the resident’s data was erased: {name}.',
    'console.chat.announceMessage': 'New message in the conversation: {name}.',
    'console.chat.announceAssigned': 'New conversation: {name}.',
    'console.chat.typing': '{name} is typing…',

    'console.composer.reply': 'Reply to the resident',
    'console.composer.note': 'Internal note (the resident will not see it)',
    'console.composer.hint': 'Enter sends, Shift+Enter starts a new line.',
    'console.composer.internal': 'Internal note',
    'console.composer.send': 'Send',
    'console.composer.sendNote': 'Save the note',
    'console.composer.empty': 'Type a message.',
    'console.composer.internalOn': 'Internal note mode on.',
    'console.composer.internalOff': 'Replying to the resident.',

    'console.transfer.open': 'Transfer the conversation',
    'console.transfer.queue': 'Transfer to',
    'console.transfer.queues': 'Departments and queues',
    'console.transfer.agents': 'Consultants',
    'console.transfer.queueClosed': '{name} (closed now)',
    'console.transfer.agentOption': '{name} ({state})',
    'console.transfer.none': 'Choose who should take the conversation.',
    'console.transfer.note': 'Note for the next person (internal)',
    'console.transfer.submit': 'Transfer',
    'console.transfer.done': 'Conversation {name} transferred: {queue}.',

    'console.close.open': 'End the conversation',
    'console.close.disposition': 'Topic of the matter',
    'console.close.note': 'Note (optional)',
    'console.close.submit': 'End',
    'console.close.done': 'Conversation {name} ended. Topic: {topic}.',

    'console.message.internal': 'Internal note',
    'console.message.retry': 'Send again',
    'console.message.pending': 'Sending…',
    'console.message.sent': 'Sent',
    'console.message.failed': 'Not sent.',
    'console.message.notSentClosed': 'Not sent — the conversation has ended.',

    'console.author.you': 'You',
    'console.author.bot': 'Virtual assistant',
    'console.author.system': 'System',
    'console.author.resident': 'Resident',
    'console.author.agent': 'Consultant',

    'console.kind.resident': '(resident)',
    'console.kind.agent': '(consultant)',

    'console.duration.seconds': '{n} s',
    'console.duration.minutes': '{m} min {s} s',

    'console.state.breakWithReason': 'Break ({reason})',
    'console.state.since': 'since {time}',

    'state.available': 'Available',
    'state.break': 'Break',
    'state.offline': 'Offline',
    'state.offered': 'Offer pending',
    'state.busy': 'Busy — in a conversation',
    'state.wrap_up': 'Wrap-up after a conversation',

    'reason.coffee': 'short break',
    'reason.meal': 'meal',
    'reason.training': 'training',
    'reason.meeting': 'work meeting',
    'reason.other': 'other reason',
    'reason.missed': 'missed offers',

    'topic.vehicles': 'Vehicle registration',
    'topic.driving_licence': 'Driving licence',
    'topic.id_documents': 'ID card and passport',
    'topic.civil_registry': 'Civil registry',
    'topic.waste': 'Municipal waste',
    'topic.taxes': 'Local taxes and fees',
    'topic.report': 'Fault or intervention report',
    'topic.appointment': 'Booking a visit',
    'topic.human': 'Talk to a consultant',
    'topic.other': 'Other matter',

    'queue.vehicles': 'Vehicle registration',
    'queue.waste': 'Waste management',
    'queue.taxes': 'Local taxes and fees',
    'queue.general': 'General information',
    'queue.dept_komunikacja': 'Transport Department — second line',
    'queue.dept_odpady': 'Waste Management Department — second line',
    'queue.dept_podatki': 'Tax Department — second line',
    'queue.dept_interwencje': 'Roads Authority and City Guard — interventions',

    'channel.chat': 'chat',
    'channel.voice': 'phone',
    'channel.video': 'video',
    'channel.callback': 'callback',

    'residentLang.pl': 'Polish',
    'residentLang.en': 'English',
    'residentLang.uk': 'Ukrainian',

    'error.offer_not_found': 'This offer is no longer valid.',
    'error.contact_not_found': 'This conversation is no longer open.',
    'error.contact_not_active': 'A conversation can be ended only after it has been accepted.',
    'error.queue_closed': 'This queue is closed now. Choose another one.',
    'error.queue_full': 'This queue is full. Choose another one.',
    'error.unknown_queue': 'There is no such queue.',
    'error.channel_not_served': 'This queue does not take chats.',
    'error.message_too_long': 'The message is too long.',
    'error.empty_message': 'Type a message.',
    'error.chat_closed': 'The conversation has ended.',
    'error.invalid_state': 'This status cannot be set.',
  },
  uk: {
    'skip.main': 'Перейти до основного змісту',
    'brand.tagline': 'Міський контактний центр',
    'lang.label': 'Мова',
    'boot.loading': 'Завантаження…',
    'footer.text': 'Centrala — система обслуговування мешканців міської ради',

    'login.pageTitle': 'Вхід — Centrala',
    'login.title': 'Вхід для працівників',
    'login.intro': 'Увійдіть зі службовим обліковим записом, щоб обслуговувати звернення мешканців.',
    'login.username': 'Ім’я користувача',
    'login.password': 'Пароль',
    'login.showPassword': 'Показати пароль',
    'login.submit': 'Увійти',
    'login.help': 'Проблеми зі входом? Зверніться до системного адміністратора.',
    'login.signingIn': 'Вхід…',
    'login.loggedOut': 'Ви вийшли з системи.',
    'login.loggedOutElsewhere': 'Ви вийшли з системи в іншій вкладці браузера.',
    'login.sessionExpired': 'Сеанс завершився. Увійдіть ще раз.',
    'login.reauth': 'З міркувань безпеки увійдіть ще раз у цій вкладці.',

    'error.missingUsername': 'Введіть ім’я користувача.',
    'error.missingPassword': 'Введіть пароль.',
    'error.missingBoth': 'Введіть ім’я користувача та пароль.',
    'error.invalid_credentials': 'Неправильне ім’я користувача або пароль.',
    'error.rate_limited': 'Забагато невдалих спроб входу. Спробуйте ще раз через {wait}.',
    'error.rate_limited_later': 'Забагато невдалих спроб входу. Спробуйте ще раз пізніше.',
    'error.invalid_input': 'Перевірте введені дані та спробуйте ще раз.',
    'error.unauthenticated': 'Сеанс завершився. Увійдіть ще раз.',
    'error.csrf_token_invalid': 'Сеанс у цій вкладці застарів. Увійдіть ще раз.',
    'error.forbidden': 'У вас немає прав на цю дію.',
    'error.not_found': 'Не знайдено.',
    'error.unavailable': 'Сервер тимчасово недоступний. Спробуйте ще раз за мить.',
    'error.network': 'Немає з’єднання з сервером. Перевірте мережу та спробуйте ще раз.',
    'error.unknown': 'Сталася неочікувана помилка. Спробуйте ще раз.',
    'error.logoutFailed': 'Не вдалося вийти. {reason}',

    'session.pageTitle': 'Панель працівника — Centrala',
    'session.title': 'Вітаємо, {name}',
    'session.intro': 'Ви увійшли в систему Centrala.',
    'session.details': 'Дані облікового запису',
    'session.displayName': 'Ім’я та прізвище',
    'session.username': 'Ім’я користувача',
    'session.role': 'Роль',
    'session.signedInAs': 'Ви увійшли як',
    'session.logout': 'Вийти',

    'role.agent': 'консультант',
    'role.supervisor': 'керівник зміни',
    'role.admin': 'адміністратор',

    'console.status.heading': 'Ваш статус',
    'console.status.available': 'Доступний',
    'console.status.break': 'Перерва',
    'console.status.offline': 'Недоступний',
    'console.status.breakReason': 'Причина перерви',
    'console.status.now': 'Стан у системі:',

    'console.sound': 'Звук при новій пропозиції',

    'console.connection.connecting': 'З’єднання з сервером…',
    'console.connection.open': 'З’єднано з сервером.',
    'console.connection.lost': 'З’єднання з сервером перервано. Повторне з’єднання…',
    'console.connection.restored': 'З’єднання з сервером відновлено.',

    'console.offers.heading': 'Пропозиції розмов',
    'console.offers.empty': 'Немає пропозицій, що очікують.',
    'console.callbacks.heading': 'Зворотні дзвінки',
    'console.callbacks.empty': 'Немає зворотних дзвінків.',
    'console.callbacks.title': 'Передзвоніть: {phone}',
    'console.callbacks.window': 'Час',
    'console.callbacks.asap': 'якнайшвидше',
    'console.callbacks.attempt': 'Спроба',
    'console.callbacks.attemptOf': '{n} з {max}',
    'console.callbacks.done': 'З’єднано — завершити з темою',
    'console.callbacks.noAnswer': 'Не відповіли',
    'console.callbacks.closed': 'Зворотний дзвінок завершено. Тема: {topic}.',
    'console.callbacks.requeued': 'Не відповіли — зворотний дзвінок повертається в чергу.',
    'console.callbacks.unreachable': 'Не відповіли — це була остання спроба, зворотний дзвінок закрито.',
    'console.offers.title': 'Нова розмова: {name}',
    'console.offers.titleInvite': 'Запрошення до розмови: {name}',
    'console.offers.accept': 'Прийняти',
    'console.offers.reject': 'Відхилити',
    'console.offers.remaining': 'Залишилося: {n} с',
    'console.offers.expired': 'Час на прийняття минув.',
    'console.offers.announce': 'Нова розмова: {name}, черга {queue}. У вас {n} с. Alt+A — прийняти, Alt+R — відхилити.',
    'console.offers.gone': 'Ця пропозиція вже неактуальна.',
    'console.offers.rejected': 'Пропозицію відхилено.',
    'console.offers.none': 'Немає пропозиції для прийняття.',
    'console.offers.waitingForPartner': 'Прийнято. Очікуємо другу особу (перекладача або консультанта).',
    'console.offers.revoked.timeout': 'Пропозиція закінчилася — час на прийняття минув.',
    'console.offers.revoked.rejected': 'Пропозицію відхилено.',
    'console.offers.revoked.abandoned': 'Мешканець пішов; пропозицію відкликано.',
    'console.offers.revoked.closed': 'Розмову закрито; пропозицію відкликано.',
    'console.offers.revoked.transferred': 'Розмову передано в інше місце; пропозицію відкликано.',
    'console.offers.revoked.agent_unavailable': 'Пропозицію відкликано: друга особа недоступна.',
    'console.offers.revoked.other': 'Пропозицію відкликано.',

    'console.shortcuts.heading': 'Комбінації клавіш',
    'console.shortcuts.accept': 'прийняти пропозицію',
    'console.shortcuts.reject': 'відхилити пропозицію',
    'console.shortcuts.send': 'надіслати повідомлення',
    'console.shortcuts.newline': 'новий рядок',
    'console.shortcuts.next': 'наступна розмова',
    'console.shortcuts.previous': 'попередня розмова',
    'console.shortcuts.internal': 'внутрішня нотатка: увімкнути / вимкнути',
    'console.shortcuts.canned': 'шаблони відповідей',
    'console.rating.ask': 'Попросити оцінити розмову',
    'console.rating.asked': '{name} отримав(ла) прохання оцінити розмову.',
    'console.shortcuts.arrows': 'на вкладках: перемкнути розмову',

    'console.chats.heading': 'Розмови',
    'console.chats.empty': 'Немає активних розмов. Встановіть статус «Доступний», щоб отримувати пропозиції.',

    'console.contact.queue': 'Черга',
    'console.contact.topic': 'Тема',
    'console.contact.channel': 'Канал',
    'console.contact.waited': 'Очікує',
    'console.contact.interpreter': 'Перекладач PJM',
    'console.contact.interpreterNeeded': 'потрібен',
    'console.contact.summary': 'Підсумок',
    'console.contact.lang': 'Мова мешканця',
    'console.contact.number': 'Номер розмови',
    'console.contact.anonymous': 'Мешканець № {id}',

    'console.chat.title': 'Розмова: {name}',
    'console.chat.unread': 'непрочитаних: {n}',
    'console.chat.dismiss': 'Закрити вкладку',
    'console.chat.ended': 'Розмову завершено.',
    'console.chat.endedTransferred': 'Розмову передано.',
    'console.chat.announceEnded': 'Розмову з {name} завершено.',
    'console.chat.announceTransferred': 'Розмову з {name} передано.',
    'console.chat.endedByResident': 'Мешканець завершив розмову. Виберіть тему справи й закрийте розмову.',
    'console.chat.announceEndedByResident': 'Мешканець завершив розмову: {name}. Виберіть тему справи.',
    'console.chat.endedErased': 'Дані мешканця видалено на його прохання (GDPR). Розмову завершено, її вміст більше недоступний.',
    'console.chat.announceErased': 'Розмову завершено після видалення даних мешканця: {name}.',
    'console.chat.announceMessage': 'Нове повідомлення в розмові: {name}.',
    'console.chat.announceAssigned': 'Нова розмова: {name}.',
    'console.chat.typing': '{name} друкує…',

    'console.composer.reply': 'Відповідь мешканцю',
    'console.composer.note': 'Внутрішня нотатка (мешканець її не побачить)',
    'console.composer.hint': 'Enter — надіслати, Shift+Enter — новий рядок.',
    'console.composer.internal': 'Внутрішня нотатка',
    'console.composer.send': 'Надіслати',
    'console.composer.sendNote': 'Зберегти нотатку',
    'console.composer.empty': 'Введіть текст повідомлення.',
    'console.composer.internalOn': 'Режим внутрішньої нотатки увімкнено.',
    'console.composer.internalOff': 'Режим відповіді мешканцю.',

    'console.transfer.open': 'Передати розмову',
    'console.transfer.queue': 'Передати до',
    'console.transfer.queues': 'Відділи та черги',
    'console.transfer.agents': 'Консультанти',
    'console.transfer.queueClosed': '{name} (зараз зачинена)',
    'console.transfer.agentOption': '{name} ({state})',
    'console.transfer.none': 'Виберіть, кому передати розмову.',
    'console.transfer.note': 'Нотатка для наступної особи (внутрішня)',
    'console.transfer.submit': 'Передати',
    'console.transfer.done': 'Розмову {name} передано: {queue}.',

    'console.close.open': 'Завершити розмову',
    'console.close.disposition': 'Тема звернення',
    'console.close.note': 'Нотатка (необов’язково)',
    'console.close.submit': 'Завершити',
    'console.close.done': 'Розмову {name} завершено. Тема: {topic}.',

    'console.message.internal': 'Внутрішня нотатка',
    'console.message.retry': 'Надіслати ще раз',
    'console.message.pending': 'Надсилання…',
    'console.message.sent': 'Надіслано',
    'console.message.failed': 'Не надіслано.',
    'console.message.notSentClosed': 'Не надіслано — розмову завершено.',

    'console.author.you': 'Ви',
    'console.author.bot': 'Віртуальний помічник',
    'console.author.system': 'Система',
    'console.author.resident': 'Мешканець',
    'console.author.agent': 'Консультант',

    'console.kind.resident': '(мешканець)',
    'console.kind.agent': '(консультант)',

    'console.duration.seconds': '{n} с',
    'console.duration.minutes': '{m} хв {s} с',

    'console.state.breakWithReason': 'Перерва ({reason})',
    'console.state.since': 'з {time}',

    'state.available': 'Доступний',
    'state.break': 'Перерва',
    'state.offline': 'Недоступний',
    'state.offered': 'Пропозиція розмови',
    'state.busy': 'Зайнятий — у розмові',
    'state.wrap_up': 'Завершення після розмови',

    'reason.coffee': 'коротка перерва',
    'reason.meal': 'обід',
    'reason.training': 'навчання',
    'reason.meeting': 'службова зустріч',
    'reason.other': 'інша причина',
    'reason.missed': 'пропущені пропозиції',

    'topic.vehicles': 'Реєстрація транспортних засобів',
    'topic.driving_licence': 'Посвідчення водія',
    'topic.id_documents': 'Посвідчення особи та паспорт',
    'topic.civil_registry': 'Реєстрація актів цивільного стану',
    'topic.waste': 'Комунальні відходи',
    'topic.taxes': 'Місцеві податки та збори',
    'topic.report': 'Повідомлення про аварію чи втручання',
    'topic.appointment': 'Запис на прийом',
    'topic.human': 'Розмова з консультантом',
    'topic.other': 'Інше питання',

    'queue.vehicles': 'Реєстрація транспортних засобів',
    'queue.waste': 'Поводження з відходами',
    'queue.taxes': 'Місцеві податки та збори',
    'queue.general': 'Загальна інформація',
    'queue.dept_komunikacja': 'Відділ транспорту — друга лінія',
    'queue.dept_odpady': 'Відділ поводження з відходами — друга лінія',
    'queue.dept_podatki': 'Податковий відділ — друга лінія',
    'queue.dept_interwencje': 'Управління доріг і міська варта — втручання',

    'channel.chat': 'чат',
    'channel.voice': 'телефон',
    'channel.video': 'відео',
    'channel.callback': 'зворотний дзвінок',

    'residentLang.pl': 'польська',
    'residentLang.en': 'англійська',
    'residentLang.uk': 'українська',

    'error.offer_not_found': 'Ця пропозиція вже неактуальна.',
    'error.contact_not_found': 'Ця розмова вже не відкрита.',
    'error.contact_not_active': 'Розмову можна завершити лише після її прийняття.',
    'error.queue_closed': 'Ця черга зараз не працює. Виберіть іншу.',
    'error.queue_full': 'Ця черга заповнена. Виберіть іншу.',
    'error.unknown_queue': 'Такої черги немає.',
    'error.channel_not_served': 'Ця черга не приймає чати.',
    'error.message_too_long': 'Повідомлення задовге.',
    'error.empty_message': 'Введіть текст повідомлення.',
    'error.chat_closed': 'Розмову завершено.',
    'error.invalid_state': 'Цей статус неможливо встановити.',
  },
};

// Accusative forms after "za" / "in" / "через", by plural category.
const UNITS = {
  pl: {
    second: { one: 'sekundę', few: 'sekundy', many: 'sekund', other: 'sekundy' },
    minute: { one: 'minutę', few: 'minuty', many: 'minut', other: 'minuty' },
  },
  en: {
    second: { one: 'second', other: 'seconds' },
    minute: { one: 'minute', other: 'minutes' },
  },
  uk: {
    second: { one: 'секунду', few: 'секунди', many: 'секунд', other: 'секунди' },
    minute: { one: 'хвилину', few: 'хвилини', many: 'хвилин', other: 'хвилини' },
  },
};

export { LANGUAGES, DEFAULT_LANGUAGE };
const STORAGE_KEY = 'centrala.lang';

let current = initialLanguage(STORAGE_KEY);
const listeners = new Set();

export function language() {
  return current;
}

// "60 sekund", "1 minutę", "3 хвилини" — a wait, as used after "za"/"in"/"через".
export function formatWait(seconds, lang = current) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  const [n, unit] = s < 120 ? [s, 'second'] : [Math.ceil(s / 60), 'minute'];
  const forms = UNITS[lang][unit];
  const category = new Intl.PluralRules(lang).select(n);
  return `${n} ${forms[category] ?? forms.other}`;
}

function formatParam(value) {
  if (value && typeof value === 'object' && 'seconds' in value) return formatWait(value.seconds);
  if (value && typeof value === 'object' && 'key' in value) return t(value.key, value.params);
  return String(value ?? '');
}

// Looks up `key` in the current language (falling back to Polish) and fills
// {placeholders}. A parameter may be {seconds: n} (formatted as a wait) or
// {key, params} (a nested translation), so it re-translates on a switch.
export function t(key, params = {}) {
  const s = STRINGS[current][key] ?? STRINGS[DEFAULT_LANGUAGE][key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, name) => formatParam(params[name]));
}

// Keys missing from a language, for the tests: {en: [...], uk: [...]}.
export function missingKeys() {
  const out = {};
  const all = new Set(LANGUAGES.flatMap((l) => Object.keys(STRINGS[l])));
  for (const l of LANGUAGES) out[l] = [...all].filter((k) => !(k in STRINGS[l]));
  return out;
}

// Lets a feature module keep its strings beside its code:
// addStrings({pl: {...}, en: {...}, uk: {...}}).
export function addStrings(table) {
  for (const lang of LANGUAGES) Object.assign(STRINGS[lang], table[lang] || {});
}

export function has(key) {
  return key in STRINGS[DEFAULT_LANGUAGE];
}

// Puts a translated text in `el` and remembers the key, so a language switch
// updates it too.
export function translate(el, key, params) {
  el.dataset.i18n = key;
  if (params && Object.keys(params).length) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
}

export function clearTranslated(el) {
  delete el.dataset.i18n;
  delete el.dataset.i18nParams;
  el.textContent = '';
}

function paramsOf(el) {
  if (!el.dataset.i18nParams) return {};
  try {
    return JSON.parse(el.dataset.i18nParams);
  } catch {
    return {};
  }
}

export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n, paramsOf(el));
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, t(key, paramsOf(el)));
    }
  }
}

export function setLanguage(code) {
  if (!LANGUAGES.includes(code)) return;
  current = code;
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  document.documentElement.lang = code;
  applyTranslations(document);
  for (const fn of listeners) fn(code);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// Wires the buttons with data-lang="pl|en|uk" inside `container`: a toggle
// group whose pressed button is the current language.
export function setupLanguageSwitcher(container) {
  const buttons = [...container.querySelectorAll('button[data-lang]')];
  const sync = () => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.lang === current));
  };
  for (const b of buttons) b.addEventListener('click', () => setLanguage(b.dataset.lang));
  onLanguageChange(sync);
  sync();
}

// Applies the starting language (language.js) to the page once at start.
export function initI18n() {
  document.documentElement.lang = current;
  applyTranslations(document);
}
