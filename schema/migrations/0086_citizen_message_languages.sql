-- The messages citizens get (the one-time code, the receipt, the reminder before voting
-- closes) in every language of the citizens' pages: German, Ukrainian and Arabic beside
-- Danish and English, so a citizen who votes on a German page is not sent English. Staff
-- may still change each text per election (message-templates). The words follow the pages'
-- own (de.js, uk.js, ar.js): Quittung / квитанція / إيصال, Anschlagtafel / дошка оголошень /
-- لوحة الإعلانات.
INSERT INTO message_templates (election_id, kind, channel, lang, subject, body) VALUES
 (NULL, 'otp', 'sms', 'de', '', 'Ihr Borgerbudget-Code ist {{code}}. Er gilt {{minutes}} Minuten.'),
 (NULL, 'otp', 'sms', 'uk', '', 'Ваш код Borgerbudget: {{code}}. Він дійсний {{minutes}} хв.'),
 (NULL, 'otp', 'sms', 'ar', '', 'رمزك في Borgerbudget هو {{code}}. صالح لمدة {{minutes}} دقيقة.'),
 (NULL, 'otp', 'email', 'de', 'Ihr Code für {{election}}',
  E'Ihr Borgerbudget-Code ist {{code}}. Er gilt {{minutes}} Minuten.\n\nWenn Sie keinen Code angefordert haben, können Sie diese Nachricht ignorieren.'),
 (NULL, 'otp', 'email', 'uk', 'Ваш код для {{election}}',
  E'Ваш код Borgerbudget: {{code}}. Він дійсний {{minutes}} хв.\n\nЯкщо ви не просили код, просто не зважайте на цей лист.'),
 (NULL, 'otp', 'email', 'ar', 'رمزك لـ {{election}}',
  E'رمزك في Borgerbudget هو {{code}}. صالح لمدة {{minutes}} دقيقة.\n\nإذا لم تطلب رمزًا، فتجاهل هذه الرسالة.'),
 (NULL, 'receipt', 'email', 'de', 'Ihre Quittung: {{election}}',
  E'Danke für Ihre Stimme in {{election}}.\n\nIhre Quittung: {{tracker}}\n\nAuf der Anschlagtafel können Sie prüfen, dass Ihr Stimmzettel gezählt wird:\n{{board_url}}\n\nDie Quittung zeigt nicht, wie Sie gestimmt haben.'),
 (NULL, 'receipt', 'email', 'uk', 'Ваша квитанція: {{election}}',
  E'Дякуємо, що проголосували в {{election}}.\n\nВаша квитанція: {{tracker}}\n\nНа дошці оголошень можна перевірити, що ваш бюлетень враховано:\n{{board_url}}\n\nКвитанція не показує, як ви проголосували.'),
 (NULL, 'receipt', 'email', 'ar', 'إيصالك: {{election}}',
  E'شكرًا لتصويتك في {{election}}.\n\nإيصالك: {{tracker}}\n\nيمكنك التحقق من احتساب ورقة اقتراعك على لوحة الإعلانات:\n{{board_url}}\n\nلا يُظهر الإيصال كيف صوّتّ.'),
 (NULL, 'receipt', 'sms', 'de', '', 'Ihre Quittung in {{election}}: {{tracker}}. Prüfen Sie sie auf {{board_url}}'),
 (NULL, 'receipt', 'sms', 'uk', '', 'Ваша квитанція в {{election}}: {{tracker}}. Перевірте її на {{board_url}}'),
 (NULL, 'receipt', 'sms', 'ar', '', 'إيصالك في {{election}}: {{tracker}}. تحقق منه على {{board_url}}'),
 (NULL, 'reminder', 'email', 'de', 'Denken Sie ans Abstimmen: {{election}}',
  E'Die Abstimmung in {{election}} endet {{closes}}. Sie haben noch nicht abgestimmt.\n\n{{url}}'),
 (NULL, 'reminder', 'email', 'uk', 'Не забудьте проголосувати: {{election}}',
  E'Голосування в {{election}} закінчується {{closes}}. Ви ще не проголосували.\n\n{{url}}'),
 (NULL, 'reminder', 'email', 'ar', 'تذكير بالتصويت: {{election}}',
  E'يُغلق التصويت في {{election}} في {{closes}}. لم تصوّت بعد.\n\n{{url}}'),
 (NULL, 'reminder', 'sms', 'de', '', 'Die Abstimmung in {{election}} endet {{closes}}. Sie haben noch nicht abgestimmt: {{url}}'),
 (NULL, 'reminder', 'sms', 'uk', '', 'Голосування в {{election}} закінчується {{closes}}. Ви ще не проголосували: {{url}}'),
 (NULL, 'reminder', 'sms', 'ar', '', 'يُغلق التصويت في {{election}} في {{closes}}. لم تصوّت بعد: {{url}}')
ON CONFLICT DO NOTHING;

-- The "moderation" kind was never sent: idea authors are told decisions by "idea_decision"
-- (0085). Its texts go, so staff are not offered a message that never leaves; the outbox
-- keeps accepting the name, for no row is lost by a constraint.
DELETE FROM message_templates WHERE kind = 'moderation';
ALTER TABLE message_templates DROP CONSTRAINT IF EXISTS message_templates_kind_check;
ALTER TABLE message_templates ADD CONSTRAINT message_templates_kind_check
    CHECK (kind IN ('otp', 'receipt', 'reminder', 'idea_decision', 'invite', 'test'));
