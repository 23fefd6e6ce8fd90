import { deviceTokenStore } from './device-token-store';

deviceTokenStore('postgres');
