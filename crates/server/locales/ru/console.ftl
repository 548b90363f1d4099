# Консоль операторов, по-русски. Каждый id здесь есть и в en/console.ftl (это проверяет тест).
# Термины как в uk/console.ftl и в текстах для заявителей (ru/chat.ftl, сценарии бота):
# справа — «дело», розмова — «разговор», заявник — «заявитель», кодове ім'я — «кодовое имя»,
# фраза небезпеки — «тревожная фраза» (так её называет бот заявителю).
console-title = Консоль
skip-to-content = Перейти к содержимому
nav-label = Разделы консоли
nav-home = Главная
nav-queue = Очередь
nav-my-cases = Мои дела
nav-open-cases = Открытые дела
nav-handoffs = Переданные дела
nav-users = Пользователи
logout = Выйти
language-switch = Язык

## Ошибки
error-request-id = Номер запроса
error-back = Вернуться в консоль
error-not-found-title = Не найдено
error-not-found-detail = Здесь ничего нет, или это не для вас.
error-forbidden-title = Доступ запрещён
error-forbidden-detail = Ваша роль не даёт доступа к этой части консоли.
error-csrf-title = Форма устарела
error-csrf-detail = Эта форма больше не действительна. Вернитесь, обновите страницу и попробуйте ещё раз.
error-bad-request-title = Неверный запрос
error-bad-request-detail = Форма неполная или повреждена.
error-move-refused-title = Такой шаг невозможен
error-move-refused-detail = Дело не может сделать этот шаг, или у вашей роли нет на него права. Обновите дело, чтобы увидеть доступные вам шаги.
error-conflict-title = Изменено тем временем
error-conflict-detail = Кто-то другой изменил это в тот же момент. Обновите страницу и проверьте.
error-unavailable-title = Временно недоступно
error-unavailable-detail = Что-то пошло не так на нашей стороне. Попробуйте ещё раз чуть позже; если ошибка повторяется, сообщите номер запроса администратору.
error-internal-title = Внутренняя ошибка

## Уведомления
notice-taken = Этот разговор уже взял кто-то другой.
notice-expired = Ваш сеанс завершился из-за бездействия. Войдите снова.
notice-login-failed = Не удалось войти. Проверьте имя, пароль и код. После нескольких неудачных попыток учётная запись блокируется на некоторое время.
notice-logged-out = Вы вышли.
notice-closed = Разговор закрыт.
notice-already-closed = Разговор уже был закрыт.
notice-reply-empty = Ответ пуст и не отправлен.
notice-reply-too-long = Ответ слишком длинный (не более 4096 символов) и не отправлен.
notice-case-exists = Этот разговор уже привязан к делу.
notice-moved = Дело переведено.
notice-moved-meanwhile = Кто-то другой изменил дело в тот же момент. Проверьте его состояние и попробуйте ещё раз.
notice-composition-invalid = В группе от 2 до 1000 человек, а офицеров не больше, чем людей.
notice-composition-saved = Размер и состав группы сохранены.
notice-user-name-invalid = Имя для входа — от 2 до 64 символов: латинские буквы, цифры, «.», «_» или «-».
notice-user-exists = Пользователь с таким именем уже есть.

## Слова
duration-under-a-minute = меньше минуты
duration-minutes = { $minutes } мин
duration-hours = { $hours } ч { $minutes } мин
who-unknown = неизвестно
who-bot = бот
yes = да
no = нет
role-operator = оператор
role-specialist = специалист
role-coordinator = координатор
role-operations = оперативное подразделение
role-analyst = аналитик
role-admin = администратор
language-ru = русский
language-uk = украинский
language-en = английский
channel-web = веб-чат
channel-telegram = Telegram
channel-voice = телефон
channel-whatsapp = WhatsApp
status-bot = с ботом
status-queued = ждёт
status-assigned = у оператора
status-closed = закрыт
sender-applicant = Заявитель
sender-bot = Бот
sender-staff = Сотрудник
message-undelivered = Не доставлено.
message-undelivered-refused = Не доставлено: мессенджер отказал (человек мог заблокировать бота или удалить чат).
message-undelivered-gave-up = Не доставлено: мессенджер был недоступен несколько часов.
message-shredded = [уничтожено]
kind-individual = индивидуальное
kind-group = групповое
state-inquiry = обращение
state-registered = зарегистрировано
state-deployed = на фронте
state-located = место известно
state-plan-approved = план утверждён
state-handed-off = передано
state-exited = вышел
state-closed = закрыто
move-to-registered = Зарегистрировать
move-to-deployed = Отметить: на фронте
move-to-located = Отметить: место известно
move-to-plan-approved = Утвердить план
move-to-handed-off = Передать оперативному подразделению
move-to-exited = Отметить: вышел
reason-withdrew = отказался
reason-lost-contact = связь потеряна
reason-duplicate = дубликат
reason-unsafe = небезопасно
reason-suspected-provocation = подозрение на провокацию
note-note = заметка
note-location = местонахождение

## Главная
home-title = Главная
home-intro-operator = Отвечайте на разговоры в очереди и открывайте дела для тех, кто хочет принять участие.
home-intro-specialist = Ваши дела, а также очередь разговоров, которые вы берёте.
home-intro-coordinator = Все открытые дела: утверждайте планы и передавайте дела оперативному подразделению.
home-intro-operations = Дела, переданные вашему подразделению.
home-intro-analyst = Статистика программы: только подсчёты, никогда отдельное дело.
home-intro-admin = Пользователи и роли. Содержание дел администраторам не показывается.

## Вход
login-title = Вход
login-username = Имя
login-password = Пароль
login-totp = Код из приложения-аутентификатора
login-totp-help = Шесть цифр; новый код каждые 30 секунд. При первом входе с одноразовым паролем оставьте поле пустым.
login-submit = Войти

## Очередь
queue-title = Очередь
queue-waiting = Ожидают
queue-col-waiting = Ждёт
queue-col-language = Язык
queue-col-channel = Канал
queue-col-conversation = Разговор
queue-col-action = Действие
queue-col-last-message = Последнее сообщение
queue-priority = приоритет
queue-take = Взять
queue-empty = Никто не ждёт.
queue-mine = Мои разговоры
queue-mine-empty = У вас нет открытых разговоров.

## Разговор
conversation-title = Разговор
conversation-id = Разговор
conversation-channel = Канал
conversation-language = Язык
conversation-status = Статус
conversation-case = Дело
conversation-bot-results = Результаты бота
conversation-bot-topic = Тема обращения
conversation-transcript = Переписка
conversation-reply = Ответ
conversation-send = Отправить
conversation-open-case = Открыть дело
conversation-open-case-submit = Открыть дело
conversation-close = Закрыть разговор

## Дело
case-title = Дело
case-id = Дело
case-state = Состояние
case-kind = Вид
case-composition = Людей / офицеров
case-owner = Ответственный
case-under-duress = Заявитель написал условленную тревожную фразу: возможно, он действует под принуждением. Отвечайте только то, что ему не навредит, и ничего не говорите об этой отметке.
case-codename = Кодовое имя выдано
case-shredded = Данные этого дела уничтожены; осталась только история событий.
case-moves = Шаги
case-close-with-reason = Закрыть дело с указанием причины
case-composition-form = Размер и состав группы
case-size = Людей в группе
case-officers = Из них офицеров
case-composition-save = Сохранить
case-conversations = Разговоры
case-no-conversations = Разговоров нет.
case-notes = Заметки
case-timeline = История
case-views = Просмотры
timeline-case-opened = { $who } открыл(а) дело ({ $kind }).
timeline-case-advanced = { $who } перевёл(а) дело из состояния «{ $from }» в «{ $to }».
timeline-case-closed = { $who } закрыл(а) дело: { $reason }.
timeline-group-composition-set = { $who } записал(а) состав группы: людей — { $size }, из них офицеров — { $officers }.
timeline-codename-issued = Выдано кодовое имя.
timeline-conversation-joined-case = К делу присоединён разговор.
timeline-case-note-added = { $who } добавил(а) заметку.
timeline-location-recorded = { $who } записал(а) местонахождение.
timeline-case-viewed = { $who } просмотрел(а) дело.
timeline-duress-phrase-agreed = Заявитель задал тревожную фразу.
timeline-case-flagged-under-duress = Заявитель написал тревожную фразу.
timeline-case-shredded = Данные дела уничтожены.
timeline-other = { $kind }

## Списки дел
cases-mine-title = Мои дела
cases-mine-intro = Дела, за которые вы отвечаете.
cases-open-title = Открытые дела
cases-open-intro = Все дела, которые ещё открыты; сначала недавно изменённые.
handoffs-title = Переданные дела
handoffs-intro = Дела, переданные оперативному подразделению: только состояние и группа.
cases-col-updated = Изменено
cases-empty = Дел нет.

## Пользователи
users-title = Пользователи
users-col-name = Имя
users-col-role = Роль
users-col-status = Статус
users-active = активна
users-locked-until = заблокирована до
users-add = Добавить пользователя
users-name-help = От 2 до 64 символов: латинские буквы, цифры, «.», «_» или «-».
users-add-submit = Добавить
users-created = Пользователь создан:
users-shown-once = Одноразовый пароль ниже показывается только один раз. Передайте его человеку безопасным способом; в читаемом виде он не хранится.
users-one-time-password = Одноразовый пароль
users-totp-scan = Отсканируйте этот код приложением-аутентификатором:
users-totp-qr = QR-код для приложения-аутентификатора
users-totp-secret = Или введите этот ключ вручную
users-totp-uri = Адрес для подключения

## Необходимость знать в очереди (issue 8)
queue-returning-assigned = Заявитель вернулся, дело ведёт { $owner }
queue-returning-unassigned = Заявитель вернулся, дело ещё никому не поручено: координатор передаст его
queue-returning-mine = вернулся, ваше дело
case-confirm-title = Подтвердите шаг
case-confirm-heading = Этот шаг нельзя отменить
case-confirm-close = Дело { $case } будет закрыто по причине «{ $reason }». Открыть его снова будет нельзя.
case-confirm-advance = Дело { $case } будет переведено в состояние «{ $state }». Вернуть его обратно нельзя.
case-confirm-submit = Да, выполнить
case-confirm-cancel = Нет, вернуться к делу
# Криптоуничтожение дела (координаторы).
shred-title = Уничтожить данные этого дела
shred-link = Уничтожить данные этого дела…
shred-conversations = Разговоры, присоединённые к делу
shred-what-happens = Что произойдёт
shred-consequence-keys = Ключи дела и его разговоров будут уничтожены: сообщения, заметки и местонахождения больше никогда не удастся прочитать — ни в этой базе, ни в какой-либо резервной копии.
shred-consequence-codename = Кодовое имя перестанет действовать: тот, кто его введёт, получит такой же ответ, как при неверном.
shred-consequence-chat = Открытые чаты заявителя по этому делу завершатся, а его номер телефона или идентификатор в мессенджере будет забыт.
shred-consequence-history = Останется только история событий (кто, что и когда сделал), и в ней будет записано это уничтожение. Отменить это невозможно.
shred-reason = Причина
shred-reason-applicant-request = по просьбе заявителя
shred-reason-safety-risk = угроза безопасности заявителя (например, изъятое устройство или компрометация)
shred-reason-retention-ended = истёк срок хранения
shred-reason-entered-in-error = дело создано по ошибке
shred-confirm = Я понимаю, что это невозможно отменить.
shred-submit = Уничтожить данные сейчас
notice-shredded = Данные дела уничтожены.
notice-shredded-already = Данные дела уже были уничтожены ранее.
notice-shred-unconfirmed = Ничего не уничтожено: выберите причину и отметьте подтверждение.
timeline-case-shredded-by = { $who } уничтожил(а) данные дела: { $reason }.

## The voice channel in the queue.
queue-call = звонок
queue-call-case = дело { $case }
queue-call-with-bot = с ботом (звонящий выбирает в меню)
