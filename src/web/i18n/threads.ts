/** @module Web texts, Threads (property 40): writing a thread's parts, its chain in the preview, its parts' statuses, and its refusals, in English and Japanese. */
import { defineTexts } from './define.ts';

export const threadTexts = defineTexts(
  {
    'thread.help':
      'A thread: each part is posted as a reply to the one before, once that one is published. 2 to 25 parts, each with up to 4 images.',
    'thread.part': 'Part {n}',
    'thread.partMedia': 'Images of part {n} (up to 4), or 1 GIF, or 1 video',
    'thread.addPart': 'Add part',
    'thread.removePart': 'Remove part {n}',
    'thread.atMost': 'A thread has at most 25 parts.',
    'thread.filesAgain':
      'Choose the images again: files are not kept when the page is sent to add or remove a part.',
    'thread.oneAccount':
      'A thread goes to one account: untick “Also post to”, or write the thread for each account separately.',
    'thread.badge': 'Thread · {n} parts',
    'thread.parts': 'Parts of the thread',
    'thread.posted': 'The thread was posted to X ({n} parts).',
    'thread.partMessage': 'Part {n}: {message}',
    'thread.count': 'A thread has 2 to 25 parts (this one has {n}).',
    'thread.countRange': 'A thread has 2 to 25 parts.',
    'thread.sameText': 'The same text as part {first}: X refuses a duplicate.',
    'thread.giveParts': 'This post is a thread: change its text and images part by part.',
    'thread.ended': 'Not posted: an earlier part of its thread failed.',
    'thread.needsParts': 'A thread needs its parts.',
    'preview.thread': 'As X shows the thread: each part a reply to the one before.',
    'edit.threadLead': 'A thread of {n} parts. Status: {status}. Change any part until it starts publishing.',
    'edit.partStatus': 'Status: {status}',
  },
  {
    'thread.help':
      'スレッド：各投稿は、前の投稿が公開されてから、その返信として投稿されます。2〜25 件、各件に画像 4 枚まで。',
    'thread.part': '{n} 件目',
    'thread.partMedia': '{n} 件目の画像（4 枚まで）、または GIF か動画 1 つ',
    'thread.addPart': '投稿を追加',
    'thread.removePart': '{n} 件目を削除',
    'thread.atMost': 'スレッドは 25 件までです。',
    'thread.filesAgain':
      '画像をもう一度選んでください。投稿を追加・削除するためにページを送ると、ファイルは保持されません。',
    'thread.oneAccount':
      'スレッドは 1 つのアカウントに投稿します。「同時に投稿するアカウント」のチェックを外すか、アカウントごとにスレッドを作成してください。',
    'thread.badge': 'スレッド・{n} 件',
    'thread.parts': 'スレッドの投稿',
    'thread.posted': 'スレッドを X に投稿しました（{n} 件）。',
    'thread.partMessage': '{n} 件目：{message}',
    'thread.count': 'スレッドは 2〜25 件です（これは {n} 件）。',
    'thread.countRange': 'スレッドは 2〜25 件です。',
    'thread.sameText': '{first} 件目と同じ本文です。X は重複を拒否します。',
    'thread.giveParts': 'この投稿はスレッドです。本文と画像は 1 件ずつ変更してください。',
    'thread.ended': '投稿していません：スレッドの前の投稿が失敗しました。',
    'thread.needsParts': 'スレッドには投稿が必要です。',
    'preview.thread': 'X でのスレッドの表示：各投稿は前の投稿への返信です。',
    'edit.threadLead': '{n} 件のスレッド。現在の状態：{status}。投稿が始まるまでどの投稿も変更できます。',
    'edit.partStatus': '状態：{status}',
  },
);
