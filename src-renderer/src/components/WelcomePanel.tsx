import { zhCN } from '../../../src-shared/i18n/zh-CN';

const t = zhCN.ui.welcome;

export function WelcomePanel() {
  return (
    <section className="card welcome-card">
      <div className="welcome-mark" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
      <h2 className="welcome-title">{t.title}</h2>
      <ul className="welcome-tips">
        {t.tips.map((tip) => (
          <li key={tip}>{tip}</li>
        ))}
      </ul>
    </section>
  );
}
