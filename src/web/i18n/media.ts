/** @module Web texts, Media: what X takes of images, GIFs and videos, and what came of an upload, in English and Japanese. */
import { defineTexts } from './define.ts';

export const mediaTexts = defineTexts(
  {
    'media.notSupported': 'File {n} is not a PNG, JPEG, WebP or GIF image or an MP4 video.',
    'media.tooLarge': 'File {n} is {size} MB; X takes at most {max} MB for a {what}.',
    'media.alone': 'A {what} must be the only file of its post (X does not mix media).',
    'media.tooMany': 'At most {max} images per post.',
    'media.refused': 'X refused the {what}: {detail}',
    'media.processingFailed': 'X could not process the {what}: {detail}. The post was not sent.',
    'media.stillProcessing': 'X is still processing the {what}; Rotor will look again.',
    'media.gone': 'X no longer has the uploaded {what}; Rotor will upload it again.',
    'media.uploadFailed': 'The media upload failed ({detail}); Rotor will try again.',
    'media.video': 'video',
    'media.gif': 'GIF',
    'media.image': 'image',
  },
  {
    'media.notSupported': 'ファイル {n} は PNG・JPEG・WebP・GIF 画像でも MP4 動画でもありません。',
    'media.tooLarge': 'ファイル {n} は {size} MB です。X が受け付ける{what}は {max} MB までです。',
    'media.alone': '{what}は 1 つの投稿に 1 ファイルだけ添付できます（X は種類の混在を受け付けません）。',
    'media.tooMany': '画像は 1 投稿に {max} 枚までです。',
    'media.refused': 'X は{what}を受け付けませんでした：{detail}',
    'media.processingFailed': 'X は{what}を処理できませんでした：{detail}。投稿は送られていません。',
    'media.stillProcessing': 'X が{what}をまだ処理中です。Rotor があとで確認します。',
    'media.gone': 'X にアップロード済みの{what}がなくなりました。Rotor がもう一度アップロードします。',
    'media.uploadFailed': 'メディアのアップロードに失敗しました（{detail}）。Rotor がもう一度試します。',
    'media.video': '動画',
    'media.gif': 'GIF',
    'media.image': '画像',
  },
);
