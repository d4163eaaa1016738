import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';

/** Every page is its own chunk, loaded on first visit (keeps the first load small). */
export const PAGES = [
  { path: '/', name: 'markets', title: 'Markets', component: () => import('./pages/MarketsPage.vue') },
  { path: '/monitor', name: 'monitor', title: 'Data', component: () => import('./pages/MonitorPage.vue') },
  {
    path: '/correlations',
    name: 'correlations',
    title: 'Correlations',
    component: () => import('./pages/CorrelationsPage.vue'),
  },
  { path: '/depegs', name: 'depegs', title: 'Depegs', component: () => import('./pages/DepegsPage.vue') },
  { path: '/risk', name: 'risk', title: 'Risk', component: () => import('./pages/RiskPage.vue') },
  {
    path: '/backtests',
    name: 'backtests',
    title: 'Backtests',
    component: () => import('./pages/BacktestsPage.vue'),
  },
  { path: '/trading', name: 'trading', title: 'Trading', component: () => import('./pages/TradingPage.vue') },
  { path: '/models', name: 'models', title: 'Models', component: () => import('./pages/ModelsPage.vue') },
  { path: '/jobs', name: 'jobs', title: 'Jobs', component: () => import('./pages/JobsPage.vue') },
  { path: '/chat', name: 'chat', title: 'Chat', component: () => import('./pages/ChatPage.vue') },
  { path: '/reports', name: 'reports', title: 'Reports', component: () => import('./pages/ReportsPage.vue') },
  { path: '/admin', name: 'admin', title: 'Admin', component: () => import('./pages/AdminPage.vue') },
] as const;

const routes: RouteRecordRaw[] = [
  ...PAGES.map((p) => ({ path: p.path, name: p.name, component: p.component, meta: { title: p.title } })),
  {
    path: '/asset/:symbol',
    name: 'asset',
    component: () => import('./pages/AssetPage.vue'),
    meta: { title: 'Asset' },
  },
  { path: '/:rest(.*)*', name: 'missing', component: () => import('./pages/MissingPage.vue') },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.afterEach((to) => {
  const sym = typeof to.params.symbol === 'string' ? to.params.symbol : null;
  const title = sym ?? (to.meta.title as string | undefined);
  document.title = title ? `${title} · marketpipe` : 'marketpipe';
});
