/**
 * @module Web texts, Reasons: what became of a post, as the reason the scheduler keeps on it says
 * (waiting, retrying, given up, looked up on X), in English and Japanese. The rules that find them
 * are in `../reason-messages.ts`.
 */
import { defineTexts } from './define.ts';

export const reasonTexts = defineTexts(
  {
    'reason.capWait': 'Waiting for X’s rate limit ({limits}).',
    'reason.tokenRetry': 'Could not get a token ({code}); Rotor will try again.',
    'reason.tokenFailed': 'Could not get a token ({code}).',
    'reason.tokenRefused': 'X refused the access token even after a refresh: reconnect the account.',
    'reason.noCredits': 'X answered 402: the X developer account has no API credits left.',
    'reason.postRefused': 'X refused the post: {detail}',
    'reason.mediaTokenRefused':
      'X refused the access token for the media upload: reconnect the account (media.write).',
    'reason.gaveUp': '{reason} Rotor gave up after {n} tries (you can retry it).',
    'reason.noAnswer': 'X did not answer ({detail}); Rotor will look whether it was posted.',
    'reason.notListed': 'X did not list the account’s recent posts; Rotor will look again.',
    'reason.notYet': 'Not on X yet; Rotor will look again before retrying.',
    'reason.noAnswerGaveUp': 'X did not answer {n} times; Rotor gave up (you can retry it).',
    'reason.notPostedRetry': 'X did not answer and the post is not on X; Rotor will send it again.',
    'reason.lookNeedsReconnect':
      'X may have posted it; @{user} needs to be reconnected before Rotor can check.',
    'reason.lookUnreachable': 'Could not reach X to check; Rotor will look again.',
    'reason.unlookable':
      'X did not answer, and a post without text cannot be looked up: check X before retrying.',
    'reason.looksExhausted':
      'X did not say whether it was posted after {n} looks: check @{user} on X before retrying.',
    'reason.cancelled': 'Cancelled by its user.',
    'reason.workerStopped':
      'The worker publishing it stopped before recording the outcome; Rotor will look on X whether it was posted.',
  },
  {
    'reason.capWait': 'X のレート制限（{limits}）が戻るのを待っています。',
    'reason.tokenRetry': 'トークンを取得できませんでした（{code}）。もう一度試します。',
    'reason.tokenFailed': 'トークンを取得できませんでした（{code}）。',
    'reason.tokenRefused':
      'X は更新したアクセストークンも受け付けませんでした。アカウントを接続し直してください。',
    'reason.noCredits': 'X の開発者アカウントに API クレジットが残っていません（402）。',
    'reason.postRefused': 'X が投稿を拒否しました：{detail}',
    'reason.mediaTokenRefused':
      'X はメディアのアップロードでアクセストークンを受け付けませんでした。アカウントを接続し直してください（media.write）。',
    'reason.gaveUp': '{reason}{n} 回試しましたが、あきらめました（再試行できます）。',
    'reason.noAnswer': 'X から応答がありませんでした（{detail}）。投稿されたかどうかを確認します。',
    'reason.notListed': 'X が最近の投稿を返しませんでした。もう一度確認します。',
    'reason.notYet': 'まだ X に見当たりません。再試行の前にもう一度確認します。',
    'reason.noAnswerGaveUp': 'X から {n} 回応答がなかったため、あきらめました（再試行できます）。',
    'reason.notPostedRetry': 'X から応答がなく、投稿もされていませんでした。もう一度送ります。',
    'reason.lookNeedsReconnect':
      'X に投稿された可能性があります。確認するには @{user} を接続し直してください。',
    'reason.lookUnreachable': '確認のために X に接続できませんでした。もう一度確認します。',
    'reason.unlookable':
      'X から応答がありませんでした。本文のない投稿は確認できないため、再試行の前に X を確認してください。',
    'reason.looksExhausted':
      '{n} 回確認しても、投稿されたかどうか X からわかりませんでした。再試行の前に X で @{user} を確認してください。',
    'reason.cancelled': '利用者が取り消しました。',
    'reason.workerStopped':
      '投稿中のワーカーが結果を記録する前に止まりました。X に投稿されたかどうかを Rotor が確認します。',
  },
);
