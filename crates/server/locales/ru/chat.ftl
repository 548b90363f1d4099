# Applicant web chat, Russian (default language).
chat-site-name = Служба помощи
chat-page-title = Служба помощи: разговор
chat-language-label = Язык
chat-quick-exit = Быстро уйти
chat-heading = Напишите нам
chat-intro = Анонимно и бесплатно. Оператор читает каждое сообщение и отвечает здесь.
chat-conversation-label = Разговор
chat-no-messages = Сообщений пока нет. Напишите первое ниже.
chat-from-applicant = Вы
chat-from-bot = Помощник
chat-from-staff = Оператор
chat-message-label = Ваше сообщение
chat-send = Отправить
chat-refresh = Проверить ответы
chat-codename-heading = У меня есть кодовое имя
chat-codename-label = Кодовое имя (16 цифр)
chat-codename-hint = Пробелы и дефисы между цифрами допускаются.
chat-codename-submit = Продолжить
chat-notice-codename-joined = Спасибо. Продолжим с того места, где остановились.
chat-notice-codename-refused = Это кодовое имя не принято. Проверьте его или попробуйте позже.
chat-notice-empty = Напишите сообщение, прежде чем отправить.
chat-notice-too-long = Сообщение слишком длинное: не больше 4096 знаков.
chat-notice-failed = Сообщение не отправлено. Попробуйте ещё раз.
chat-notice-unavailable = Служба занята. Подождите немного и попробуйте снова.
chat-notice-busy = Сейчас линия занята: пишут очень многие. Подождите минуту и попробуйте снова — ваш текст остался в поле.
chat-notice-too-fast = Сообщения идут слишком часто. Подождите минуту и отправьте снова — ваш текст остался в поле.
chat-safety = Ничего из этого разговора не сохраняется в хранилище вашего браузера. Закончив, закройте вкладку; в любой момент можно нажать «Быстро уйти».
chat-end-conversation = Завершить разговор на этом устройстве
chat-end-hint = Разговор закроется в этом браузере, и его уже нельзя будет открыть здесь. Если у вас есть кодовое имя, вернуться можно с ним.
chat-notice-ended = Разговор на этом устройстве завершён. Если у вас есть кодовое имя, введите его ниже, чтобы продолжить.

## The voice channel: what a caller hears besides the flow's own lines.
voice-stay-on-line = Оставайтесь на линии: вам ответит человек.
voice-waiting = Вы { $position }-й в очереди. Оставайтесь на линии: вам ответят, как только смогут.
voice-waiting-no-position = Оставайтесь на линии: вам ответят, как только смогут.
voice-goodbye = Спасибо за звонок. До свидания.
