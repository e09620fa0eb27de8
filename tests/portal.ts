// Steps that several journeys share (page objects): signing in, opening a package, filling
// the "Request access" form.
import { Page, expect } from '@playwright/test';

/** Sign in on the demo sign-in page that stands in for any page while signed out. */
export async function signIn(page: Page, name: string) {
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await expect(page.getByRole('banner').getByText(name)).toBeVisible();
}

/** Open `path` signed in as `name`. */
export async function openAs(page: Page, name: string, path: string) {
  await page.goto(path);
  await signIn(page, name);
}

/** Open a package's request pane and press Request, to show the form. */
export async function openRequestForm(page: Page, packageName: string) {
  await expect(page.getByRole('heading', { level: 1, name: packageName })).toBeVisible();
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Request access' })).toBeVisible();
}

/** A date input value `days` from today, in the browser's own time zone. */
export function dayFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export async function submit(page: Page) {
  await page.getByRole('button', { name: 'Submit' }).click();
}
