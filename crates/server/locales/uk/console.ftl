# Консоль операторів, українською. Кожен id тут є й у en/console.ftl (це перевіряє тест).
console-title = Консоль
skip-to-content = Перейти до змісту
nav-label = Розділи консолі
nav-home = Початок
nav-queue = Черга
nav-my-cases = Мої справи
nav-open-cases = Відкриті справи
nav-handoffs = Передані справи
nav-users = Користувачі
logout = Вийти
language-switch = Мова

## Помилки
error-request-id = Номер запиту
error-back = Повернутися до консолі
error-not-found-title = Не знайдено
error-not-found-detail = Тут нічого немає, або це не для вас.
error-forbidden-title = Заборонено
error-forbidden-detail = Ваша роль не дає доступу до цієї частини консолі.
error-csrf-title = Форма застаріла
error-csrf-detail = Ця форма більше не дійсна. Поверніться, оновіть сторінку і спробуйте ще раз.
error-bad-request-title = Хибний запит
error-bad-request-detail = Форма неповна або пошкоджена.
error-move-refused-title = Такий крок неможливий
error-move-refused-detail = Справа не може зробити цей крок, або ваша роль не має на нього права. Оновіть справу, щоб побачити доступні вам кроки.
error-conflict-title = Змінено тим часом
error-conflict-detail = Хтось інший змінив це в ту саму мить. Оновіть сторінку і перевірте.
error-unavailable-title = Тимчасово недоступно
error-unavailable-detail = Щось пішло не так з нашого боку. Спробуйте ще раз за мить; якщо не минає, передайте номер запиту адміністраторові.
error-internal-title = Внутрішня помилка

## Повідомлення
notice-taken = Цю розмову вже взяв хтось інший.
notice-expired = Ваш сеанс завершився через бездіяльність. Увійдіть знову.
notice-login-failed = Не вдалося увійти. Перевірте ім'я, пароль і код. Після кількох невдач обліковий запис блокується на деякий час.
notice-logged-out = Ви вийшли.
notice-closed = Розмову закрито.
notice-already-closed = Розмову вже було закрито.
notice-reply-empty = Відповідь порожня, її не надіслано.
notice-reply-too-long = Відповідь задовга (щонайбільше 4096 символів), її не надіслано.
notice-case-exists = Ця розмова вже належить до справи.
notice-moved = Справу переведено.
notice-moved-meanwhile = Хтось інший змінив справу в ту саму мить. Перевірте її стан і спробуйте ще раз.
notice-composition-invalid = У групі від 2 до 1000 людей, а офіцерів не більше, ніж людей.
notice-composition-saved = Розмір і склад групи збережено.
notice-user-name-invalid = Ім'я для входу має від 2 до 64 символів: латинські літери, цифри, «.», «_» або «-».
notice-user-exists = Користувач із таким ім'ям уже є.

## Слова
duration-under-a-minute = менше хвилини
duration-minutes = { $minutes } хв
duration-hours = { $hours } год { $minutes } хв
who-unknown = невідомо
who-bot = бот
yes = так
no = ні
role-operator = оператор
role-specialist = фахівець
role-coordinator = координатор
role-operations = оперативний підрозділ
role-analyst = аналітик
role-admin = адміністратор
language-ru = російська
language-uk = українська
language-en = англійська
channel-web = вебчат
channel-telegram = Telegram
channel-voice = телефон
channel-whatsapp = WhatsApp
status-bot = з ботом
status-queued = чекає
status-assigned = в оператора
status-closed = закрита
sender-applicant = Заявник
sender-bot = Бот
sender-staff = Працівник
message-undelivered = Не доставлено.
message-undelivered-refused = Не доставлено: месенджер відмовив (людина могла заблокувати бота або видалити чат).
message-undelivered-gave-up = Не доставлено: месенджер був недоступний кілька годин.
message-shredded = [знищено]
kind-individual = особиста
kind-group = групова
state-inquiry = звернення
state-registered = зареєстровано
state-deployed = на фронті
state-located = місце відоме
state-plan-approved = план затверджено
state-handed-off = передано
state-exited = вийшов
state-closed = закрито
move-to-registered = Зареєструвати
move-to-deployed = Позначити: на фронті
move-to-located = Позначити: місце відоме
move-to-plan-approved = Затвердити план
move-to-handed-off = Передати оперативному підрозділу
move-to-exited = Позначити: вийшов
reason-withdrew = відмовився
reason-lost-contact = зв'язок втрачено
reason-duplicate = дублікат
reason-unsafe = небезпечно
reason-suspected-provocation = підозра на провокацію
note-note = нотатка
note-location = місцезнаходження

## Початок
home-title = Початок
home-intro-operator = Відповідайте на розмови в черзі та відкривайте справи для тих, хто хоче взяти участь.
home-intro-specialist = Ваші справи, а також черга розмов, які ви берете.
home-intro-coordinator = Усі відкриті справи: затверджуйте плани й передавайте справи оперативному підрозділу.
home-intro-operations = Справи, передані вашому підрозділу.
home-intro-analyst = Статистика програми: лише підрахунки, ніколи окрема справа.
home-intro-admin = Користувачі й ролі. Зміст справ адміністраторам не показується.

## Вхід
login-title = Вхід
login-username = Ім'я
login-password = Пароль
login-totp = Код із застосунку автентифікації
login-totp-help = Шість цифр; новий код щопівхвилини. Під час першого входу з одноразовим паролем залиште порожнім.
login-submit = Увійти

## Черга
queue-title = Черга
queue-waiting = Чекають
queue-col-waiting = Чекає
queue-col-language = Мова
queue-col-channel = Канал
queue-col-conversation = Розмова
queue-col-action = Дія
queue-col-last-message = Останнє повідомлення
queue-priority = пріоритет
queue-take = Взяти
queue-empty = Ніхто не чекає.
queue-mine = Мої розмови
queue-mine-empty = У вас немає відкритих розмов.

## Розмова
conversation-title = Розмова
conversation-id = Розмова
conversation-channel = Канал
conversation-language = Мова
conversation-status = Стан
conversation-case = Справа
conversation-bot-results = Результати бота
conversation-bot-topic = Тема звернення
conversation-transcript = Листування
conversation-reply = Відповідь
conversation-send = Надіслати
conversation-open-case = Відкрити справу
conversation-open-case-submit = Відкрити справу
conversation-close = Закрити розмову

## Справа
case-title = Справа
case-id = Справа
case-state = Стан
case-kind = Вид
case-composition = Людей / офіцерів
case-owner = Відповідальний
case-under-duress = Заявник написав узгоджену фразу небезпеки: можливо, він під примусом. Відповідайте лише безпечне й нічого не кажіть про цю позначку.
case-codename = Кодове ім'я видано
case-shredded = Дані цієї справи знищено; лишилася тільки історія подій.
case-moves = Кроки
case-close-with-reason = Закрити справу з причиною
case-composition-form = Розмір і склад групи
case-size = Людей у групі
case-officers = З них офіцерів
case-composition-save = Зберегти
case-conversations = Розмови
case-no-conversations = Розмов немає.
case-notes = Нотатки
case-timeline = Історія
case-views = Перегляди
timeline-case-opened = { $who } відкрив(-ла) справу ({ $kind }).
timeline-case-advanced = { $who } перевів(-ла) справу зі стану «{ $from }» у «{ $to }».
timeline-case-closed = { $who } закрив(-ла) справу: { $reason }.
timeline-group-composition-set = { $who } записав(-ла) групу: людей { $size }, офіцерів { $officers }.
timeline-codename-issued = Видано кодове ім'я.
timeline-conversation-joined-case = До справи приєднано розмову.
timeline-case-note-added = { $who } додав(-ла) нотатку.
timeline-location-recorded = { $who } записав(-ла) місцезнаходження.
timeline-case-viewed = { $who } переглянув(-ла) справу.
timeline-duress-phrase-agreed = Заявник узгодив фразу небезпеки.
timeline-case-flagged-under-duress = Заявник написав фразу небезпеки.
timeline-case-shredded = Дані справи знищено.
timeline-other = { $kind }

## Списки справ
cases-mine-title = Мої справи
cases-mine-intro = Справи, за які ви відповідаєте.
cases-open-title = Відкриті справи
cases-open-intro = Усі ще відкриті справи, спершу нещодавно змінені.
handoffs-title = Передані справи
handoffs-intro = Справи, передані оперативному підрозділу: лише стан і група.
cases-col-updated = Змінено
cases-empty = Справ немає.

## Користувачі
users-title = Користувачі
users-col-name = Ім'я
users-col-role = Роль
users-col-status = Стан
users-active = активний
users-locked-until = заблоковано до
users-add = Додати користувача
users-name-help = Від 2 до 64 символів: латинські літери, цифри, «.», «_» або «-».
users-add-submit = Додати
users-created = Користувача створено:
users-shown-once = Одноразовий пароль нижче показано лише цього разу. Передайте його людині безпечним способом; у читабельному вигляді він не зберігається.
users-one-time-password = Одноразовий пароль
users-totp-scan = Відскануйте цей код застосунком автентифікації:
users-totp-qr = QR-код для застосунку автентифікації
users-totp-secret = Або введіть цей ключ вручну
users-totp-uri = Адреса для підключення

## Необхідність знати в черзі (issue 8)
queue-returning-assigned = Заявник повернувся, справу веде { $owner }
queue-returning-unassigned = Заявник повернувся, справу ще нікому не доручено: координатор передасть її
queue-returning-mine = повернувся, ваша справа
case-confirm-title = Підтвердіть крок
case-confirm-heading = Цей крок не можна скасувати
case-confirm-close = Справу { $case } буде закрито з причиною «{ $reason }». Її не можна буде відкрити знову.
case-confirm-advance = Справу { $case } буде переведено в стан «{ $state }». Повернути її назад не можна.
case-confirm-submit = Так, зробити
case-confirm-cancel = Ні, повернутися до справи
# Криптознищення справи (координатори).
shred-title = Знищити дані цієї справи
shred-link = Знищити дані цієї справи…
shred-conversations = Розмови, приєднані до справи
shred-what-happens = Що станеться
shred-consequence-keys = Ключі справи та її розмов буде знищено: повідомлення, нотатки й місця вже ніколи не вдасться прочитати — ні в цій базі, ні в жодній резервній копії.
shred-consequence-codename = Кодове ім'я перестане діяти: хто його введе, отримає ту саму відповідь, що й на хибне.
shred-consequence-chat = Відкриті чати заявника в цій справі завершаться, а його номер телефону чи ідентифікатор у месенджері буде забуто.
shred-consequence-history = Залишиться лише історія подій (хто, що і коли зробив), і в ній буде записано це знищення. Скасувати це неможливо.
shred-reason = Причина
shred-reason-applicant-request = на прохання заявника
shred-reason-safety-risk = загроза безпеці заявника (напр. вилучений пристрій чи компрометація)
shred-reason-retention-ended = сплив строк зберігання
shred-reason-entered-in-error = справу створено помилково
shred-confirm = Я розумію, що це неможливо скасувати.
shred-submit = Знищити дані зараз
notice-shredded = Дані справи знищено.
notice-shredded-already = Дані справи вже було знищено раніше.
notice-shred-unconfirmed = Нічого не знищено: оберіть причину й позначте підтвердження.
timeline-case-shredded-by = { $who } знищив(-ла) дані справи: { $reason }.

## The voice channel in the queue.
queue-call = дзвінок
queue-call-case = справа { $case }
queue-call-with-bot = з ботом (той, хто дзвонить, обирає в меню)
