# Сообщения о местонахождении (issue 9): страница дела, форма консоли, страница заявителя.

location-heading = Местонахождение
location-sent-by-applicant = Места, присланные заявителем
location-newest = Последнее
location-stale = устарело
location-none = Местонахождение ещё не сообщено.
location-true-at = по состоянию на
location-recorded-at = записано
location-by-applicant = заявитель
location-accuracy-metres = ±{ $metres } м
location-accuracy-unknown = точность неизвестна
location-age-minutes = { $n } мин назад
location-age-hours = { $n } ч назад
location-age-days = { $n } дн. назад
location-add-title = Добавить местонахождение
location-add-legend = Добавить местонахождение
location-place-label = Место
location-place-hint = Десятичные градусы (48.0159, 37.8028 или 48.0159 N 37.8028 E), градусы-минуты-секунды, MGRS (37U DQ 12345 67890) или описание словами.
location-accuracy-label = Точность в метрах (необязательно; ссылка MGRS даёт свою)
location-source-label = Источник
location-source = Источник
location-true-at-label = По состоянию на (UTC, необязательно; если пусто — сейчас)
location-true-at-hint = Когда человек был там, если раньше, чем сейчас.
location-add-submit = Добавить
location-back-to-case = Назад к делу
location-source-applicant-typed = введено заявителем
location-source-messenger = геолокация из мессенджера
location-source-browser = браузер заявителя
location-source-staff-call = сотрудник, со звонка

location-error-source = Выберите источник.
location-error-accuracy = Точность должна быть целым числом метров от 1 до 1 000 000.
location-error-future = Время, на которое указано место, — в будущем.
location-error-time = Время не понято: используйте ГГГГ-ММ-ДД ЧЧ:ММ (UTC).
location-error-too-long = Местонахождение слишком длинное (не более 200 символов).
location-error-empty = Местонахождение пустое.
location-error-bad-number = Число в координатах не понято.
location-error-one-coordinate = Найдена только одна координата: укажите и широту, и долготу.
location-error-trailing = После долготы есть что-то непонятное.
location-error-misplaced-mark = Знак градуса, минуты или секунды стоит не на месте.
location-error-misplaced-hemisphere = Буква полушария (N, S, E, W) стоит не на месте.
location-error-same-axis = Обе координаты указывают север/юг или обе восток/запад.
location-error-sign-and-hemisphere = У координаты есть и минус, и буква полушария.
location-error-whole-numbers = Целые числа без десятичной точки, знака градуса или полушария не считаются координатами.
location-error-fractional-degrees = После градусов с дробной частью не может быть минут.
location-error-fractional-minutes = После минут с дробной частью не может быть секунд.
location-error-minutes = Минут должно быть меньше 60.
location-error-seconds = Секунд должно быть меньше 60.
location-error-latitude = Широта вне диапазона (от −90 до 90).
location-error-longitude = Долгота вне диапазона (от −180 до 180).
location-error-mgrs-zone = Зона MGRS — не число от 1 до 60.
location-error-mgrs-band = Буква широтной полосы MGRS — не от C до X (без I и O).
location-error-mgrs-square = Буквы 100-километрового квадрата MGRS не подходят для этой зоны и полосы.
location-error-mgrs-odd-digits = В ссылке MGRS нечётное число цифр: у восточной и северной частей должно быть поровну цифр.
location-error-mgrs-unequal = У восточной и северной частей MGRS разное число цифр.
location-error-mgrs-too-many-digits = В ссылке MGRS больше 10 цифр (точнее 1 м).
location-error-mgrs-other = Ссылка MGRS не понята.

notice-location-added = Местонахождение добавлено.
notice-location-needed = Дело можно отметить «место известно» только с сообщением о местонахождении: сначала добавьте его.

timeline-location-reported-by = { $who } записал(а) местонахождение ({ $source }).
timeline-location-reported-applicant = Заявитель прислал местонахождение ({ $source }).
timeline-location-viewed = { $who } просмотрел(а) местонахождение.

chat-location-link = Отправить, где вы
chat-location-heading = Где вы
chat-location-intro = Отправляйте своё место только тогда, когда это для вас безопасно. Подойдут координаты, квадрат сетки или несколько слов.
chat-location-place-label = Ваше место
chat-location-place-hint = Например 48.0159, 37.8028, или 37U DQ 12345 67890, или описание.
chat-location-accuracy-label = Насколько точно, в метрах (необязательно)
chat-location-use-position = Использовать моё положение
chat-location-position-failed = Устройство не смогло определить положение. Можно ввести его вручную.
chat-location-send = Отправить
chat-location-sent = Спасибо, получено. Можно вернуться к разговору.
chat-location-back = Назад к разговору
chat-location-no-conversation = Сначала начните разговор, потом сможете отправить, где вы.

# The server-drawn map (console/case_map.rs).
map-title = Карта мест
map-description = Мест на карте: { $count }, с кругами точности и сеткой градусов
map-newest = Последнее
map-km = км
map-m = м
map-credit = Границы: Natural Earth
map-rendezvous = Место встречи
