import { featureCatalog } from './feature-catalog.js';

export const authCatalog = featureCatalog(
  'auth',
  {
    signIn: {
      title: 'Sign in to EdgeCab',
      name: 'User name',
      password: 'Password',
      submit: 'Sign in',
      submitting: 'Signing in…',
      wrong: 'Wrong user name or password.',
      throttled: 'Too many failed attempts. Try again in {{seconds}} s.',
      ended: 'Your session ended. Sign in again to go on.',
      setupHint: 'No user exists yet. Open the one-time setup link that EdgeCab printed when it started.',
    },
    setup: {
      title: 'Create the first administrator',
      intro: 'This one-time link creates the administrator of every region. Choose a user name and a password of at least 10 characters.',
      name: 'User name',
      password: 'Password',
      confirm: 'Password again',
      mismatch: 'The two passwords differ.',
      submit: 'Create and sign in',
      invalidLink: 'This setup link is not valid any more (it was used, or EdgeCab restarted and printed a new one).',
    },
    account: {
      signedInAs: 'Signed in as {{name}}',
      signOut: 'Sign out',
      desktop: 'Desktop',
    },
    refused: {
      title: 'Not allowed',
      needs: 'This needs the {{role}} role here. Ask an administrator.',
    },
    roles: { viewer: 'Viewer', operator: 'Operator', administrator: 'Administrator' },
  },
  {
    signIn: {
      title: '登录 EdgeCab',
      name: '用户名',
      password: '密码',
      submit: '登录',
      submitting: '正在登录…',
      wrong: '用户名或密码错误。',
      throttled: '失败次数过多，请 {{seconds}} 秒后再试。',
      ended: '会话已结束，请重新登录后继续。',
      setupHint: '还没有任何用户。请打开 EdgeCab 启动时打印的一次性设置链接。',
    },
    setup: {
      title: '创建首个管理员',
      intro: '此一次性链接将创建所有区域的管理员。请输入用户名和至少 10 个字符的密码。',
      name: '用户名',
      password: '密码',
      confirm: '再次输入密码',
      mismatch: '两次输入的密码不一致。',
      submit: '创建并登录',
      invalidLink: '此设置链接已失效（已被使用，或 EdgeCab 重启后打印了新的链接）。',
    },
    account: {
      signedInAs: '当前用户：{{name}}',
      signOut: '退出登录',
      desktop: '桌面版',
    },
    refused: {
      title: '无权操作',
      needs: '此操作需要在此处具有“{{role}}”角色，请联系管理员。',
    },
    roles: { viewer: '只读用户', operator: '操作员', administrator: '管理员' },
  },
);
