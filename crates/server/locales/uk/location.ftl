# Повідомлення про місцеперебування (issue 9): сторінка справи, форма консолі, сторінка заявника.

location-heading = Місцеперебування
location-sent-by-applicant = Місця, надіслані заявником
location-newest = Найновіше
location-stale = застаріле
location-none = Місцеперебування ще не повідомлено.
location-true-at = станом на
location-recorded-at = записано
location-by-applicant = заявник
location-accuracy-metres = ±{ $metres } м
location-accuracy-unknown = точність невідома
location-age-minutes = { $n } хв тому
location-age-hours = { $n } год тому
location-age-days = { $n } дн. тому
location-add-title = Додати місцеперебування
location-add-legend = Додати місцеперебування
location-place-label = Місце
location-place-hint = Десяткові градуси (48.0159, 37.8028 або 48.0159 N 37.8028 E), градуси-хвилини-секунди, MGRS (37U DQ 12345 67890) або опис словами.
location-accuracy-label = Точність у метрах (необов'язково; посилання MGRS дає власну)
location-source-label = Джерело
location-source = Джерело
location-true-at-label = Станом на (UTC, необов'язково; якщо порожньо — зараз)
location-true-at-hint = Коли людина там була, якщо раніше, ніж зараз.
location-add-submit = Додати
location-back-to-case = Назад до справи
location-source-applicant-typed = введено заявником
location-source-messenger = геолокація з месенджера
location-source-browser = браузер заявника
location-source-staff-call = працівник, з дзвінка

location-error-source = Оберіть джерело.
location-error-accuracy = Точність має бути цілим числом метрів від 1 до 1 000 000.
location-error-future = Час, на який вказано місце, — у майбутньому.
location-error-time = Час не зрозумілий: використовуйте РРРР-ММ-ДД ГГ:ХХ (UTC).
location-error-too-long = Місцеперебування задовге (не більше 200 символів).
location-error-empty = Місцеперебування порожнє.
location-error-bad-number = Число в координатах не зрозуміле.
location-error-one-coordinate = Знайдено лише одну координату: вкажіть і широту, і довготу.
location-error-trailing = Після довготи є щось незрозуміле.
location-error-misplaced-mark = Знак градуса, хвилини чи секунди стоїть не на місці.
location-error-misplaced-hemisphere = Літера півкулі (N, S, E, W) стоїть не на місці.
location-error-same-axis = Обидві координати вказують північ/південь або обидві схід/захід.
location-error-sign-and-hemisphere = Координата має і мінус, і літеру півкулі.
location-error-whole-numbers = Цілі числа без десяткової крапки, знака градуса чи півкулі не сприймаються як координати.
location-error-fractional-degrees = Після градусів із дробовою частиною не може бути хвилин.
location-error-fractional-minutes = Після хвилин із дробовою частиною не може бути секунд.
location-error-minutes = Хвилин має бути менше 60.
location-error-seconds = Секунд має бути менше 60.
location-error-latitude = Широта поза межами (від −90 до 90).
location-error-longitude = Довгота поза межами (від −180 до 180).
location-error-mgrs-zone = Зона MGRS — не число від 1 до 60.
location-error-mgrs-band = Літера широтної смуги MGRS — не від C до X (без I та O).
location-error-mgrs-square = Літери 100-кілометрового квадрата MGRS не підходять для цієї зони та смуги.
location-error-mgrs-odd-digits = У посиланні MGRS непарна кількість цифр: схід і північ мають мати однаково цифр.
location-error-mgrs-unequal = Схід і північ у MGRS мають різну кількість цифр.
location-error-mgrs-too-many-digits = У посиланні MGRS понад 10 цифр (точніше за 1 м).
location-error-mgrs-other = Посилання MGRS не зрозуміле.

notice-location-added = Місцеперебування додано.
notice-location-needed = Справу можна позначити «місце відоме» лише з повідомленням про місцеперебування: спершу додайте його.

timeline-location-reported-by = { $who } записав(-ла) місцеперебування ({ $source }).
timeline-location-reported-applicant = Заявник надіслав місцеперебування ({ $source }).
timeline-location-viewed = { $who } переглянув(-ла) місцеперебування.

chat-location-link = Надіслати, де ви
chat-location-heading = Де ви
chat-location-intro = Надсилайте своє місце лише тоді, коли це для вас безпечно. Підійдуть координати, квадрат сітки або кілька слів.
chat-location-place-label = Ваше місце
chat-location-place-hint = Наприклад 48.0159, 37.8028, або 37U DQ 12345 67890, або опис.
chat-location-accuracy-label = Наскільки точно, у метрах (необов'язково)
chat-location-use-position = Використати моє положення
chat-location-position-failed = Пристрій не зміг визначити положення. Можна ввести його вручну.
chat-location-send = Надіслати
chat-location-sent = Дякуємо, отримано. Можна повернутися до розмови.
chat-location-back = Назад до розмови
chat-location-no-conversation = Спершу почніть розмову, тоді зможете надіслати, де ви.

# The server-drawn map (console/case_map.rs).
map-title = Мапа місць
map-description = Місць на мапі: { $count }, з колами точності та сіткою градусів
map-newest = Найновіше
map-km = км
map-m = м
map-credit = Кордони: Natural Earth
map-rendezvous = Місце зустрічі
