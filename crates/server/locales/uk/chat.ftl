# Applicant web chat, Ukrainian.
chat-site-name = Служба допомоги
chat-page-title = Служба допомоги: розмова
chat-language-label = Мова
chat-quick-exit = Швидко піти
chat-heading = Напишіть нам
chat-intro = Анонімно й безкоштовно. Оператор читає кожне повідомлення і відповідає тут.
chat-conversation-label = Розмова
chat-no-messages = Повідомлень ще немає. Напишіть перше нижче.
chat-from-applicant = Ви
chat-from-bot = Помічник
chat-from-staff = Оператор
chat-message-label = Ваше повідомлення
chat-send = Надіслати
chat-refresh = Перевірити відповіді
chat-codename-heading = У мене є кодове ім'я
chat-codename-label = Кодове ім'я (16 цифр)
chat-codename-hint = Пробіли та дефіси між цифрами допускаються.
chat-codename-submit = Продовжити
chat-notice-codename-joined = Дякуємо. Продовжимо з того місця, де зупинилися.
chat-notice-codename-refused = Це кодове ім'я не прийнято. Перевірте його або спробуйте пізніше.
chat-notice-empty = Напишіть повідомлення, перш ніж надіслати.
chat-notice-too-long = Повідомлення задовге: не більше 4096 знаків.
chat-notice-failed = Повідомлення не надіслано. Спробуйте ще раз.
chat-notice-unavailable = Служба зайнята. Зачекайте трохи й спробуйте знову.
chat-notice-busy = Зараз лінія зайнята: пишуть дуже багато людей. Зачекайте хвилину й спробуйте знову — ваш текст залишився в полі.
chat-notice-too-fast = Повідомлення надходять надто часто. Зачекайте хвилину й надішліть знову — ваш текст залишився в полі.
chat-safety = Нічого з цієї розмови не зберігається у сховищі вашого браузера. Закінчивши, закрийте вкладку; будь-коли можна натиснути «Швидко піти».
chat-end-conversation = Завершити розмову на цьому пристрої
chat-end-hint = Розмова закриється в цьому браузері, і відкрити її тут уже не вийде. Якщо у вас є кодове ім'я, повернутися можна з ним.
chat-notice-ended = Розмову на цьому пристрої завершено. Якщо у вас є кодове ім'я, введіть його нижче, щоб продовжити.

## The voice channel: what a caller hears besides the flow's own lines.
voice-stay-on-line = Залишайтеся на лінії: вам відповість людина.
voice-waiting = Ви { $position }-й у черзі. Залишайтеся на лінії: вам відповідять, щойно зможуть.
voice-waiting-no-position = Залишайтеся на лінії: вам відповідять, щойно зможуть.
voice-goodbye = Дякуємо за дзвінок. До побачення.
